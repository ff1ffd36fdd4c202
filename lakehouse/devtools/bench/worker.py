"""One measured run in its own process:
`python -m lakehouse.devtools.bench.worker KIND RAW WORK OUT`.

KIND is `ours` (the local pipeline, `lakehouse run`), `floor` or `peer`. Writes to OUT a
JSON list of steps: name, start and end (time.time()), peak memory of the process tree.
"""

import json
import sys
import time
from datetime import datetime
from pathlib import Path

from lakehouse.devtools.bench import floor, peer
from lakehouse.devtools.bench.memory import MemorySampler
from lakehouse.local import pipeline
from lakehouse.transform import dbt_runner


def steps_of_dbt_build(run_results: dict, manifest: dict) -> dict[str, list[tuple[float, float]]]:
    """The time windows of each layer's nodes (schema of a model; tests), from dbt's
    run_results.json."""
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    windows: dict[str, list[tuple[float, float]]] = {}
    for result in run_results.get("results", []):
        timing = result.get("timing") or []
        if not timing:
            continue
        unique_id = result["unique_id"]
        if unique_id.startswith(("test.", "unit_test.")):
            layer = "tests"
        else:
            # a model's layer is its schema; nodes without one are the run's hooks
            layer = nodes.get(unique_id, {}).get("config", {}).get("schema") or "hooks"
        start = datetime.fromisoformat(timing[0]["started_at"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(timing[-1]["completed_at"].replace("Z", "+00:00"))
        windows.setdefault(layer, []).append((start.timestamp(), end.timestamp()))
    return windows


def _step(name: str, windows: list[tuple[float, float]], memory: MemorySampler) -> dict:
    return {
        "name": name,
        "seconds": dbt_runner.busy_seconds(windows),
        "peak_bytes": max(memory.peak(start, end) for start, end in windows),
    }


def _layers(run_results_file: Path, manifest_file: Path, memory: MemorySampler) -> list[dict]:
    run_results = json.loads(run_results_file.read_text())
    manifest = json.loads(manifest_file.read_text())
    windows = steps_of_dbt_build(run_results, manifest)
    steps = [_step(f"dbt {layer}", w, memory) for layer, w in sorted(windows.items())]
    # the slowest nodes, to see what a layer's time is made of
    nodes = sorted(
        ((r["unique_id"], r["execution_time"]) for r in run_results.get("results", [])),
        key=lambda node: -node[1],
    )
    return [*steps, {"name": "slowest nodes", "nodes": dict(nodes[:12])}]


def ours(raw: Path, work: Path, memory: MemorySampler) -> list[dict]:
    report = pipeline.run(raw, work / "warehouse")
    steps = [_step(name, [window], memory) for name, window in report.windows.items()]
    report_folder = work / "warehouse" / "reports" / "latest"
    steps += _layers(
        report_folder / "run_results.json", dbt_runner.TARGET_DIR / "manifest.json", memory
    )
    steps.append({"name": "maintained", "tables": [vars(o) for o in report.maintained]})
    return steps


def floor_(raw: Path, work: Path, memory: MemorySampler) -> list[dict]:
    started = time.time()
    floor.build(raw, work / "floor")
    return [_step("csv to parquet", [(started, time.time())], memory)]


def peer_(raw: Path, work: Path, memory: MemorySampler) -> list[dict]:
    work.mkdir(parents=True, exist_ok=True)
    marks = [time.time()]
    spark = peer.start_session(work)
    marks.append(time.time())
    loaded = peer.ingest(spark, raw, work / "warehouse")
    marks.append(time.time())
    outcome = peer.build(spark, work / "warehouse", work / "target")
    marks.append(time.time())
    if not outcome.success:
        raise SystemExit(
            f"peer dbt build failed: {'; '.join(outcome.failures) or outcome.exception}"
        )
    names = ("start JVM", "ingest", "dbt build")
    steps = [_step(n, [(a, b)], memory) for n, a, b in zip(names, marks, marks[1:], strict=False)]
    steps += _layers(
        work / "target" / "run_results.json", work / "target" / "manifest.json", memory
    )
    return [*steps, {"name": "files loaded", "files": loaded}]


KINDS = {"ours": ours, "floor": floor_, "peer": peer_}


def main() -> None:
    kind, raw, work, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
    dbt_runner.use_warehouse(work / "warehouse")
    with MemorySampler() as memory:
        started = time.time()
        steps = KINDS[kind](raw, work, memory)
        total = {"name": "total", "seconds": time.time() - started}
    total["peak_bytes"] = memory.peak(started, time.time())
    out.write_text(json.dumps([*steps, total], indent=2))


if __name__ == "__main__":
    main()
