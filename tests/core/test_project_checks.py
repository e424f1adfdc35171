"""Project-wide checks that run with the suite: migrations complete, lint clean, deploy-ready."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def _run(args, env=None):
    return subprocess.run(args, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)


def test_no_model_change_ships_without_its_migration():
    result = _run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_check_is_clean():
    ruff = Path(sys.executable).with_name("ruff")
    result = _run([str(ruff), "check", "."])
    assert result.returncode == 0, result.stdout + result.stderr


def production_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "shopmgr.settings.production",
        "DJANGO_SECRET_KEY": "x7!kq2#p9v$Lr4@zW8m&Tn3^bY6*cF1(hJ5)dG0-sA+eU_iO=lP;",
        "DJANGO_ALLOWED_HOSTS": "shop.example.com",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shopmgr"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    })
    env.update(extra)
    return env


def test_production_settings_pass_the_deploy_check():
    # given the documented production variables / when Django's deploy check runs
    result = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env=production_env())
    # then it reports nothing
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = _run([sys.executable, "manage.py", "check"], env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_has_debug_off_even_if_asked():
    code = "from django.conf import settings; print(settings.DEBUG)"
    result = _run([sys.executable, "manage.py", "shell", "-c", code], env=production_env(DJANGO_DEBUG="true"))
    assert result.stdout.strip().splitlines()[-1] == "False", result.stdout + result.stderr
