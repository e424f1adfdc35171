"""Demo data seeded once per test module (seeding is the slow part; the checks only read)."""

import datetime as dt
import hashlib

import pytest

from shopmgr.core.demo import seed_demo
from shopmgr.core.demo.load import SEEDED_MODELS, flush_shop_data

# A fixed "today", so that every run sees the same two years (2024-03-02 .. 2026-03-01).
TODAY = dt.date(2026, 3, 2)
SHAPE_ORDERS = 3000


def digest_of_shop_data() -> str:
    """sha256 over every row (all columns but the changed_at write stamp, ordered by id) of every seeded table."""
    h = hashlib.sha256()
    for model in SEEDED_MODELS:
        fields = [f.attname for f in model._meta.concrete_fields if f.name != "changed_at"]
        h.update(model._meta.label.encode())
        for row in model.objects.order_by("pk").values_list(*fields).iterator(chunk_size=5000):
            h.update(repr(row).encode())
    return h.hexdigest()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """3,000 orders of demo data, committed for the module and deleted after it."""
    with django_db_blocker.unblock():
        counts = seed_demo(orders=SHAPE_ORDERS, seed=7, today=TODAY, flush=True)
        try:
            yield counts
        finally:
            flush_shop_data()
