"""Fixtures for the Olist sample: the converter script as a module, the real data folder."""

from pathlib import Path

import pytest

from tests.conftest import load_script, skip_or_fail

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "convert_olist.py"
SOURCE = REPO.parent / "shared" / "data" / "olist-sample"


@pytest.fixture(scope="session")
def converter():
    return load_script(SCRIPT)


@pytest.fixture(scope="session")
def olist_source() -> Path:
    if not (SOURCE / "olist_orders_dataset.csv").is_file():
        skip_or_fail(f"the Olist sample is not at {SOURCE}")
    return SOURCE


@pytest.fixture(scope="session")
def converted(converter, olist_source, tmp_path_factory):
    """The whole sample converted once: (output folder, summary)."""
    outdir = tmp_path_factory.mktemp("olist")
    return outdir, converter.convert(olist_source, outdir)
