"""The README's quick start (`make run`) runs on SQLite, while CI runs the suite on PostgreSQL: a
code path that only PostgreSQL understands (an array parameter, a `::` cast, several statements
in one round trip) would pass CI and break the portal a new user opens first.

This test runs the quick start's steps in a child process against a fresh SQLite file (migrate,
a small demo, the nightly computations, the demo users) and opens every desk of the navigation,
with the usual filters, as the users who work there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import sys
    import django

    django.setup()
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    assert connection.vendor == "sqlite", connection.vendor
    quiet = {"stdout": StringIO(), "verbosity": 0}
    call_command("migrate", interactive=False, **quiet)
    call_command("seed_demo", orders=400, today="2026-11-26", **quiet)
    call_command("compute_metrics", all=True, **quiet)
    call_command("create_demo_users", **quiet)
    call_command("compute_assortment", **quiet)
    call_command("compute_prices", **quiet)

    from catalog.models import Category

    top = Category.objects.filter(parent=None).order_by("path").first()
    pages = {
        "shop": [
            reverse("home"),
            reverse("kpis:dashboard"),
            reverse("kpis:dashboard") + "?period=last_30_days",
            reverse("kpis:dashboard") + "?period=custom&from=2026-01-01&to=2026-11-25",
            reverse("kpis:dashboard") + f"?period=last_30_days&category={top.code}",
            reverse("kpis:dashboard") + "?period=last_30_days&_export=csv",
            "/api/kpis/?from=2026-10-27&to=2026-11-25",
            reverse("kpis:definitions"),
            reverse("kpis:runs"),
            reverse("kpis:targets"),
            reverse("catalog:index"),
            reverse("catalog:product-list"),
            reverse("catalog:product-list") + "?sort=-net_revenue",
            reverse("catalog:matrix"),
            reverse("catalog:decisions"),
            reverse("pricing:index"),
            reverse("returns:analytics"),
        ],
        "cm_fashion": [
            reverse("kpis:dashboard"),
            reverse("catalog:product-list"),
            reverse("returns:analytics"),
            reverse("returns:list"),
        ],
        "service": [
            reverse("returns:index"),
            reverse("returns:list"),
            reverse("returns:list") + "?status=received",
            reverse("returns:queue"),
        ],
        "accounting": [
            reverse("receivables:index"),
            reverse("receivables:index") + "?blocked=yes",
            reverse("receivables:index") + "?kind=b2b&customer=Beck",
            reverse("receivables:runs"),
        ],
    }
    failures = []
    client = Client()
    for username, urls in pages.items():
        client.force_login(get_user_model().objects.get(username=username))
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                failures.append(f"{username} {url}: {response.status_code}")
    print("\\n".join(failures) or "all pages 200")
    sys.exit(1 if failures else 0)
    """
)


def test_the_quick_start_on_sqlite_serves_every_desk(tmp_path):
    # given the quick start's database: a fresh SQLite file
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "shopmgr.settings.local",
        "DJANGO_DEBUG": "true",  # (as `make run`: the demo users are for local demos)
        "PYTHONPATH": str(BASE_DIR),
    }
    env.pop("REDIS_URL", None)  # (the portal runs without Redis, as `make run` does)

    # when its steps run and the desks are opened
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=600,
    )

    # then every page answered 200
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "all pages 200" in done.stdout
