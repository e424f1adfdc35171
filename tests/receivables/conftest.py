from importlib import import_module

import pytest
from django.apps import apps
from django.utils import translation

from shopmgr.core import roles
from tests.conftest import user_with_role


@pytest.fixture(autouse=True)
def dunning_config(db):
    """The seeded levels and base rates (a transactional test's flush removes migration rows)."""
    import_module("returns.migrations.0005_dunning").seed(apps, None)


@pytest.fixture(autouse=True)
def english():
    """Services speak the active language (German by default): the tests read their English."""
    with translation.override("en"):
        yield


@pytest.fixture
def accountant(db):
    return user_with_role(roles.ACCOUNTING, username="accounting")
