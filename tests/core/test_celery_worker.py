"""A real Celery worker process runs a project task end to end (Redis broker, PostgreSQL)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from catalog.models import Category
from catalog.tasks import rebuild_category_paths
from tests.catalog.factories import CategoryFactory
from tests.conftest import skip_or_fail

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def celery_worker_process(transactional_db, require_postgres):
    if not settings.REDIS_URL:
        skip_or_fail("needs Redis (set REDIS_URL)")
    from shopmgr.celery import app

    app.conf.task_always_eager = False
    app.control.purge()  # nothing left over from earlier runs reaches this worker
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shopmgr.settings.test",
        # the worker must write to the very database this test reads
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_WORKER": "1",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "shopmgr", "worker", "--pool=solo", "--concurrency=1",
         "--loglevel=WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle",
         "-n", f"test-worker-{os.getpid()}@%h"],
        cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    yield worker
    app.conf.task_always_eager = True
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


def test_task_runs_in_a_real_worker_and_writes_to_the_database(celery_worker_process):
    # given a category whose stored path is stale (as after a raw bulk write)
    root = CategoryFactory(code="HOME", name="Home")
    child = CategoryFactory(code="HOME-KITCHEN", name="Kitchen", parent=root)
    Category.objects.filter(pk=child.pk).update(path="/WRONG/", depth=7)
    from shopmgr.celery import app

    assert app.conf.task_always_eager is False

    # when the task is sent through the broker and a worker process picks it up
    started = time.monotonic()
    result = rebuild_category_paths.delay()
    changed = result.get(timeout=60)

    # then the worker fixed the row in the shared database and reported how many it changed
    assert changed == 1
    child.refresh_from_db()
    assert (child.path, child.depth) == ("/HOME/HOME-KITCHEN/", 1)
    assert result.successful()
    assert celery_worker_process.poll() is None, "worker died"
    assert time.monotonic() - started < 60


def test_without_redis_tasks_run_eagerly(settings, db):
    # the embedded mode: no broker needed, the task runs in the calling process
    from shopmgr.celery import app

    app.conf.task_always_eager = True
    try:
        root = CategoryFactory(code="GARDEN", name="Garden")
        Category.objects.filter(pk=root.pk).update(path="/X/")
        assert rebuild_category_paths.delay().get() == 1
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
