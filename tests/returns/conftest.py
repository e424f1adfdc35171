import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def in_english():
    """The desk's messages are read in English here; German, the default language, is checked in
    test_desk_views.test_a_refusal_reads_in_german_by_default."""
    with translation.override("en"):
        yield
