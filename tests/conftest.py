"""Fixtures every test folder shares; helpers to import live in tests/support.py."""

import shutil
from pathlib import Path

import pytest

from tests.support import SAMPLE


@pytest.fixture
def sample() -> Path:
    return SAMPLE


@pytest.fixture
def landing(tmp_path: Path):
    """A landing folder to fill file by file: landing(dataset, name, text=..|source=..)."""
    root = tmp_path / "raw"

    def put(dataset: str, name: str, text: str | bytes | None = None, source: Path | None = None):
        target = root / dataset / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source is not None:
            shutil.copyfile(source, target)
        elif isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8", newline="")
        return target

    put.root = root
    return put
