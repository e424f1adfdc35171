"""English and German are complete: every message has a German translation, compiled."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import skip_or_fail

PO = Path(__file__).resolve().parents[2] / "locale" / "de" / "LC_MESSAGES" / "django.po"


def _entries(text: str):
    """(msgid, msgstr, fuzzy) for each entry of a .po file, header excluded."""
    entries = []
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        parts = {"msgid": "", "msgstr": ""}
        current = None
        for line in lines:
            if line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[")):
                key, _, rest = line.partition(" ")
                current = "msgstr" if key.startswith("msgstr") else ("msgid" if key == "msgid" else None)
                if current:
                    parts[current] += rest.strip().strip('"')
            elif line.startswith('"') and current:
                parts[current] += line.strip('"')
        if parts["msgid"]:
            entries.append((parts["msgid"], parts["msgstr"], fuzzy))
    return entries


def test_every_message_has_a_german_translation():
    entries = _entries(PO.read_text(encoding="utf-8"))
    assert len(entries) > 150
    untranslated = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert untranslated == []


def test_compiled_catalogue_matches_the_source(tmp_path):
    if not shutil.which("msgfmt"):
        skip_or_fail("needs gettext's msgfmt (apt-get install gettext)")
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(PO)], check=True)
    assert fresh.read_bytes() == PO.with_suffix(".mo").read_bytes(), "run: make messages"


@pytest.mark.django_db
def test_pages_speak_german_and_english(shop_manager):
    client = Client()
    client.force_login(shop_manager)
    german = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Abmelden" in german and "Ihre Rolle und Ihr Bereich" in german
    english = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log out" in english and "Your role and scope" in english


@pytest.mark.django_db
def test_language_switch_sticks(shop_manager):
    client = Client()
    client.force_login(shop_manager)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log out" in client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
