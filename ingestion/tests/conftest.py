import shutil
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_until(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)
