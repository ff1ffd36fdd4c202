"""Run the benchmark: generate the longest history once, then at each history length build
from scratch (ours, floor, the peer where asked) and add one more day incrementally; time
typical queries before and after maintenance on the longest; collect the figures."""

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
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
class Plan:
    """History lengths (days) to build from scratch, all at `orders_per_day`; the peer
    builds the lengths in `peer_days` too."""

    days: tuple[int, ...]
    orders_per_day: int
    peer_days: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not self.days or min(self.days) < 1:
            raise ValueError(f"history lengths must be 1 day or more, not {list(self.days)}")
        if missing := sorted(set(self.peer_days) - set(self.days)):
            raise ValueError(
                f"the peer's history lengths {missing} are not among the lengths built "
                f"({', '.join(map(str, sorted(self.days)))})"
            )

    def stages(self) -> int:
        """Stages `run` reports: generate; per length ours, floor, the incremental day (and
        the peer's two); the queries."""
        return 1 + 3 * len(set(self.days)) + 2 * len(set(self.peer_days)) + 1


def run(
    plan: Plan,
    work: Path,
    sample: Path,
    checkpoint: Path,
    on_stage: Callable[[str], None] = lambda _: None,
) -> dict:
    """Every measurement of one benchmark run, as a dict ready for JSON; written to
    `checkpoint` after each history length too, so a run stopped early keeps what it
    measured. Each length's scratch files are removed once it is measured."""
    results: dict = {"machine": machine(), "started": _now(), "scales": []}
    longest = max(plan.days)
    generated = work / "generated"
    # the longest history and its next day, once: every length lands its first days
    on_stage(f"generate {longest + 1} days x {plan.orders_per_day:,} orders")
    started = time.time()
    written = generate(
        generated,
        Profile.from_sample(sample),
        days=longest + 1,
        orders_per_day=plan.orders_per_day,
        start=START,
    )
    results["generate"] = {
        "days": longest + 1,
        "orders_per_day": plan.orders_per_day,
        "rows": written.rows,
        "seconds": time.time() - started,
    }
    checkpoint.write_text(json.dumps(results, indent=2))
    for days in sorted(set(plan.days)):
        peer = days in plan.peer_days
        label = f"{days} days"
        folder = work / f"{days}d"
        landing = folder / "landing"
        _land(generated, landing, days=days)
        measured: dict[str, Any] = {"days": days, "orders_per_day": plan.orders_per_day}
        measured["rows"] = _rows(landing)
        for kind in ("ours", "floor", "peer") if peer else ("ours", "floor"):
            on_stage(f"{label}: {kind}")
            measured[kind] = _worker(kind, landing, folder / kind)
        if days == longest:
            on_stage(f"{label}: queries before/after maintenance")
            results["queries"] = time_queries(
                folder / "ours" / "warehouse", user_id=1001 + 7, product_id=42
            )
        _land(generated, landing, days=days + 1)
        measured["incremental_rows"] = _rows(landing)
        measured["incremental_day"] = (START + dt.timedelta(days=days)).isoformat()
        on_stage(f"{label}: one more day (incremental)")
        measured["incremental"] = _worker("ours", landing, folder / "ours")
        if peer:
            on_stage(f"{label}: one more day on the peer (incremental)")
            measured["peer_incremental"] = _worker("peer", landing, folder / "peer")
        results["scales"].append(measured)
        checkpoint.write_text(json.dumps(results, indent=2))
        shutil.rmtree(folder)  # warehouses of 30M line items fill a small disk
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
    log = work / f"{kind}.log"
    with log.open("a") as output:
        worker = subprocess.run(
            [sys.executable, "-m", "lakehouse.devtools.bench.worker", kind, landing, work, out],
            cwd=work,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    if worker.returncode != 0:  # the scratch folder, log included, is removed on the way out
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(
            f"{kind} on {landing.parent.name} failed (exit {worker.returncode}):\n{tail}"
        )
    return json.loads(out.read_text())
