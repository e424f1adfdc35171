"""What every benchmark shares: a scratch PostgreSQL database beside DATABASE_URL, Django set up
against it, migrated, and dropped afterwards; and the process's peak memory."""

from __future__ import annotations

import contextlib
import os
import resource
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent


def _admin_sql(maintenance_url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


@contextlib.contextmanager
def scratch_database(name: str, *, keep: bool = False, reuse: bool = False) -> Iterator[None]:
    """Create database `name` on the server DATABASE_URL names (that database stays untouched),
    point Django at it, migrate, and drop it on the way out unless `keep`. With `reuse` an existing
    database of that name is taken as it is (migrated) and kept."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("needs DATABASE_URL pointing at PostgreSQL (the budgets are for PostgreSQL)")
    parts = urlsplit(url)
    maintenance_url = urlunsplit(parts._replace(path="/postgres"))
    if reuse:
        keep = True
    else:
        _admin_sql(maintenance_url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    try:
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
        os.environ["DJANGO_SETTINGS_MODULE"] = "shopmgr.settings.local"
        os.environ["DJANGO_DEBUG"] = "false"  # no query log in memory
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        yield
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not keep:
            _admin_sql(maintenance_url, f"DROP DATABASE IF EXISTS {name}")


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU seconds used so far by this process and by the PostgreSQL backend of Django's default
    connection (its /proc entry: the server runs on this machine; 0 for it if it cannot be read).

    On a busy machine wall time grows with everyone else's load; this is the work itself.
    """
    from django.db import connection

    own = resource.getrusage(resource.RUSAGE_SELF)
    total = own.ru_utime + own.ru_stime
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    except (OSError, IndexError, ValueError):
        pass
    return total


def machine_load() -> str:
    """The 1-minute load average beside the cores: how busy the machine was."""
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
