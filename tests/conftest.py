"""Shared fixtures. Tests needing PostgreSQL, Redis or a browser skip with a reason elsewhere,
and fail instead of skipping when CI is set (DESIGN §6)."""

import csv
import importlib.util
import os
import sys
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.db.models.signals import post_migrate

from shopmgr.core import roles
from tests.catalog.factories import CategoryFactory
from tests.core.factories import UserFactory

IN_CI = bool(os.environ.get("CI"))


def load_script(path: Path):
    """A script of scripts/ (not a package) as a module, e.g. a converter of real data."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (dataclasses look the module up while the class bodies run)
    spec.loader.exec_module(module)
    return module


def read_csv(path: Path, *, encoding: str = "utf-8") -> list[dict[str, str]]:
    """Every row of a CSV file with a header, as dicts."""
    with open(path, encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def skip_or_fail(reason: str) -> None:
    """Skip outside CI; in CI a missing service is a failure, never a silent skip."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def restore_migration_rows(**kwargs) -> None:
    """Put back the rows that data migrations create (roles, return reasons); idempotent."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.models import Permission

    import_module("shopmgr.core.migrations.0001_roles").grant_roles(Group, Permission)
    import_module("returns.migrations.0002_return_reasons").seed(apps, None)


# A transactional test ends with a flush of every table, roles and return reasons included; the
# flush sends post_migrate, and this puts them back, so no test depends on the order tests run in.
post_migrate.connect(
    restore_migration_rows, sender=django_apps.get_app_config("kpis"), dispatch_uid="tests-restore-migration-rows"
)


@pytest.fixture
def require_postgres(settings):
    from django.db import connection

    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL (set DATABASE_URL)")


def user_with_role(role: str | None, **kwargs):
    user = UserFactory(**kwargs)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def shop_manager(db):
    return user_with_role(roles.SHOP_MANAGERS, username="shop")


@pytest.fixture
def category_tree(db):
    """FASHION > (FASHION-WOMEN, FASHION-MEN); ELECTRONICS > (ELECTRONICS-PHONES)."""
    fashion = CategoryFactory(code="FASHION", name="Fashion")
    women = CategoryFactory(code="FASHION-WOMEN", name="Women", parent=fashion)
    men = CategoryFactory(code="FASHION-MEN", name="Men", parent=fashion)
    electronics = CategoryFactory(code="ELECTRONICS", name="Electronics")
    phones = CategoryFactory(code="ELECTRONICS-PHONES", name="Phones", parent=electronics)
    return {"fashion": fashion, "women": women, "men": men, "electronics": electronics, "phones": phones}


@pytest.fixture
def fashion_manager(db, category_tree):
    user = user_with_role(roles.CATEGORY_MANAGERS, username="cm_fashion")
    category_tree["fashion"].managers.add(user)
    return user
