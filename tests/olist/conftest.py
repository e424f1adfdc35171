"""Fixtures for the Olist sample: the converter script as a module, the real data folder."""

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "convert_olist.py"
SOURCE = REPO.parent / "shared" / "data" / "olist-sample"


@pytest.fixture(scope="session")
def converter():
    spec = importlib.util.spec_from_file_location("convert_olist", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (dataclasses look the module up while the class bodies run)
    spec.loader.exec_module(module)
    return module


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
