"""Fixtures for the Online Retail conversion: the converter script as a module, the real data."""

from pathlib import Path

import pytest

from tests.conftest import load_script, skip_or_fail

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "convert_online_retail.py"
DATA = REPO.parent / "shared" / "data"
SOURCE = DATA / "online-retail" / "online_retail_2009_2011_combined.csv.gz"
SLICE_LINES = 20_000


@pytest.fixture(scope="session")
def converter():
    return load_script(SCRIPT)


@pytest.fixture(scope="session")
def online_retail_source() -> Path:
    if not SOURCE.is_file():
        skip_or_fail(f"the Online Retail data is not at {SOURCE}")
    return SOURCE


@pytest.fixture(scope="session")
def converted_slice(converter, online_retail_source, tmp_path_factory):
    """The first SLICE_LINES source lines converted once: (output folder, summary)."""
    outdir = tmp_path_factory.mktemp("online-retail-slice")
    summary = converter.convert(online_retail_source, outdir, limit_lines=SLICE_LINES)
    return outdir, summary
