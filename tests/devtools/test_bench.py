"""The benchmark at a tiny scale: every step runs and every figure is written. The JVM
peer is left to `make bench`: its start and 88 dbt nodes on Spark + Delta took 6.5 minutes
on 2 days of 20 orders here; its profile is checked to parse the project as Delta with
Silver merging, and its figures are checked from a recorded run."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lakehouse.devtools.bench import figures
from lakehouse.devtools.bench.peer import profile
from lakehouse.transform.dbt_runner import PROJECT_DIR

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent


def test_bench_smoke(tmp_path):
    out, document = tmp_path / "figures", tmp_path / "BENCHMARKS.md"
    document.write_text(
        "# Benchmarks\n\nprose\n\n<!-- bench:start -->\nstale figures\n<!-- bench:end -->\n"
    )
    args = ["bench", "--orders-per-day", "20", "--days", "2", "--no-peer"]
    args += ["--out", str(out), "--document", str(document), "--work", str(tmp_path)]
    result = subprocess.run(
        [str(BIN / "lakehouse"), *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())
    (scale,) = results["scales"]
    assert scale["rows"]["orders"] == 40
    steps = {s["name"] for s in scale["ours"]}
    assert {"ingest", "dbt build", "dbt silver", "dbt tests", "maintenance", "total"} <= steps
    assert {s["name"] for s in scale["floor"]} == {"csv to parquet", "total"}
    assert scale["incremental_rows"]["orders"] == 60
    assert {q["query"] for q in results["queries"]} == {
        "gold: one customer",
        "silver: one product per day",
    }
    assert (out / "bench.png").stat().st_size > 0
    text = document.read_text()
    assert text.startswith("# Benchmarks\n\nprose\n") and "stale figures" not in text
    assert "| line items | ours (s) | floor (s)" in text


def test_peer_parses_the_project_as_delta(tmp_path):
    env = {**os.environ, "DBT_TARGET_PATH": str(tmp_path / "target")}
    env["DBT_LOG_PATH"] = str(tmp_path / "logs")
    args = ["parse", "--profiles-dir", str(profile(tmp_path / "profile"))]
    result = subprocess.run(
        [str(BIN / "dbt"), *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    silver = manifest["nodes"]["model.lakehouse.silver_order_items"]["config"]
    assert (silver["file_format"], silver["incremental_strategy"]) == ("delta", "merge")
    snapshot = manifest["nodes"]["snapshot.lakehouse.products_snapshot"]["config"]
    assert snapshot["file_format"] == "delta"


def test_figures_compare_the_incremental_day_with_the_peer():
    steps = [{"name": "ingest", "seconds": 1.0, "peak_bytes": 2**30}]
    steps += [{"name": "dbt build", "seconds": 9.0, "peak_bytes": 2**30}]
    total = {"name": "total", "seconds": 12.0, "peak_bytes": 2**30}
    peer_total = {"name": "total", "seconds": 40.0, "peak_bytes": 2**31}
    scale = {
        "rows": {"orders": 10, "order_items": 50},
        "incremental_rows": {"orders": 11, "order_items": 55},
        "ours": [*steps, {**total, "seconds": 30.0}],
        "floor": [{"name": "total", "seconds": 1.0, "peak_bytes": 0}],
        "peer": [{**peer_total, "seconds": 100.0}],
        "incremental": [*steps, total],
        "peer_incremental": [{"name": "files loaded", "files": {"orders": 1}}, peer_total],
    }
    (row,) = figures.ratios({"scales": [scale]})
    assert row["ours_over_peer"] == 10.0 / 100.0
    assert row["incremental_over_peer"] == 10.0 / 40.0
    machine = dict.fromkeys(("cpu", "cores", "memory_gib", "os", "python", "java"), "-")
    machine |= {"packages": {}, "load_average_start": [0.0], "load_average_end": [0.0]}
    results = {"machine": machine, "started": "-", "finished": "-", "scales": [scale]}
    text = figures.markdown(results)
    assert "ours / peer 0.25x" in text
    assert "| peer incremental (s) |" in text
