"""Run the benchmark: generate, build at each scale (ours, floor, peer), one incremental
day on the largest (ours and peer), maintenance before/after; collect the figures."""

import datetime as dt
import json
import os
import platform
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psutil

from lakehouse.devtools.bench.queries import time_queries
from lakehouse.devtools.generate import Profile, generate

START = dt.date(2025, 1, 1)
PACKAGES = ("pysail", "dbt-core", "dbt-sail", "dbt-spark", "pyspark", "deltalake", "pyarrow")


@dataclass(frozen=True)
class Scale:
    days: int
    orders_per_day: int


def run(
    scales: list[Scale],
    work: Path,
    peer: bool,
    sample: Path,
    checkpoint: Path,
    on_stage: Callable[[str], None] = lambda _: None,
) -> dict:
    """Every measurement of one benchmark run, as a dict ready for JSON; written to
    `checkpoint` after each scale too, so a run stopped early keeps what it measured."""
    profile = Profile.from_sample(sample)
    results: dict = {"machine": machine(), "started": _now(), "scales": []}
    largest = max(scales, key=lambda s: s.days * s.orders_per_day)
    for scale in scales:
        label = f"{scale.days} days x {scale.orders_per_day:,} orders"
        folder = work / f"{scale.days}x{scale.orders_per_day}"
        on_stage(f"{label}: generate")
        raw_all, landing = folder / "generated", folder / "landing"
        generate(
            raw_all,
            profile,
            days=scale.days + 1,
            orders_per_day=scale.orders_per_day,
            start=START,
        )
        _land(raw_all, landing, days=scale.days)
        measured: dict[str, Any] = {"days": scale.days, "orders_per_day": scale.orders_per_day}
        measured["rows"] = _rows(landing)
        for kind in ("ours", "floor", "peer") if peer else ("ours", "floor"):
            on_stage(f"{label}: {kind}")
            measured[kind] = _worker(kind, landing, folder / kind)
        if scale == largest:
            warehouse = folder / "ours" / "warehouse"
            on_stage(f"{label}: queries before/after maintenance")
            results["queries"] = time_queries(warehouse, user_id=1001 + 7, product_id=42)
            _land(raw_all, landing, days=scale.days + 1)
            measured["incremental_rows"] = _rows(landing)
            on_stage(f"{label}: one more day (incremental)")
            measured["incremental"] = _worker("ours", landing, folder / "ours")
            if peer:
                on_stage(f"{label}: one more day on the peer (incremental)")
                measured["peer_incremental"] = _worker("peer", landing, folder / "peer")
            measured["incremental_day"] = (START + dt.timedelta(days=scale.days)).isoformat()
        results["scales"].append(measured)
        checkpoint.write_text(json.dumps(results, indent=2))
    results["finished"] = _now()
    results["machine"]["load_average_end"] = os.getloadavg()
    return results


def machine() -> dict:
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "java": java.splitlines()[0] if java else "not found",
        "packages": {name: version(name) for name in PACKAGES},
        "load_average_start": os.getloadavg(),
    }


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _land(generated: Path, landing: Path, days: int) -> None:
    """Hard-link the products and the first `days` days of orders and items into the
    landing folder (a file already there stays: that is how a new day arrives)."""
    last = (START + dt.timedelta(days=days - 1)).isoformat()
    for source in sorted(generated.glob("*/*")):
        if source.parent.name != "products" and source.stem > last:
            continue
        target = landing / source.parent.name / source.name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(source, target)


def _rows(landing: Path) -> dict[str, int]:
    """Data rows per dataset (lines less headers)."""
    rows = {}
    for folder in sorted(p for p in landing.iterdir() if p.is_dir()):
        files = list(folder.glob("*.csv"))
        rows[folder.name] = sum(_lines(f) for f in files) - len(files)
    return rows


def _lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b""))


def _worker(kind: str, landing: Path, work: Path) -> list[dict]:
    work.mkdir(parents=True, exist_ok=True)
    out = work / f"{kind}-{len(list(work.glob('*.json')))}.json"
    with (work / f"{kind}.log").open("a") as log:
        subprocess.run(
            [sys.executable, "-m", "lakehouse.devtools.bench.worker", kind, landing, work, out],
            cwd=work,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )
    return json.loads(out.read_text())
