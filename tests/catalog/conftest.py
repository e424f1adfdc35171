import pytest
from django.utils import translation


@pytest.fixture
def english(settings):
    """The catalogue tests read messages and labels in English (German is the default language)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
