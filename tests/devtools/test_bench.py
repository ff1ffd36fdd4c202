"""The benchmark at tiny scales: every step runs and every figure is written. The JVM
peer is left to `make bench`: its start and 88 dbt nodes on Spark + Delta took 6.5 minutes
on 2 days of 20 orders here; its profile is checked to parse the project as Delta with
Silver merging, and its figures are checked from recorded runs."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lakehouse.devtools.bench import figures
from lakehouse.devtools.bench import run as bench_run
from lakehouse.devtools.bench.memory import MemorySampler
from lakehouse.devtools.bench.peer import profile
from lakehouse.devtools.bench.run import Plan
from lakehouse.devtools.bench.worker import _step, steps_of_dbt_build
from lakehouse.transform.dbt_runner import PROJECT_DIR
from tests.support import SAMPLE

BIN = Path(sys.executable).parent
GIB = 2**30


def _bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "lakehouse"), "bench", *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.mark.e2e
def test_bench_smoke(tmp_path):
    out, document = tmp_path / "figures", tmp_path / "BENCHMARKS.md"
    document.write_text(
        "# Benchmarks\n\nprose\n\n<!-- bench:start -->\nstale figures\n<!-- bench:end -->\n"
    )
    work = tmp_path / "work"
    result = _bench(
        *("--days", "2", "--orders-per-day", "20", "--no-peer"),
        *("--out", str(out), "--document", str(document), "--work", str(work)),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())
    (scale,) = results["scales"]
    assert scale["rows"]["orders"] == 40
    assert scale["incremental_rows"]["orders"] == 60
    for run in (scale["ours"], scale["incremental"]):
        steps = {s["name"] for s in run}
        assert {"ingest", "dbt build", "dbt silver", "dbt tests", "maintenance", "total"} <= steps
    assert {s["name"] for s in scale["floor"]} == {"csv to parquet", "total"}
    assert {q["query"] for q in results["queries"]} == {
        "gold: one customer",
        "silver: one product per day",
    }
    assert list(work.iterdir()) == []  # the scratch folder is removed
    assert (out / "bench.png").stat().st_size > 0
    text = document.read_text()
    assert text.startswith("# Benchmarks\n\nprose\n") and "stale figures" not in text
    assert "| days | line items | ours (s) | floor (s)" in text
    assert "| step | 2 days |" in text

    # a run stopped early: the figures are redrawn from its checkpoint alone
    document.write_text("<!-- bench:start -->\nstale figures\n<!-- bench:end -->\n")
    (out / "bench.png").unlink()
    del results["finished"]
    (out / "results.json").write_text(json.dumps(results))
    redrawn = _bench("--replot", "--out", str(out), "--document", str(document))
    assert redrawn.returncode == 0, redrawn.stdout[-3000:] + redrawn.stderr[-3000:]
    assert "stopped early" in document.read_text() and (out / "bench.png").exists()


def test_every_history_length_lands_its_days_from_one_generation(tmp_path, monkeypatch):
    """The driver alone: the measured processes record what they were given (the pipeline
    runs are the smoke test's)."""
    seen = []

    def measure(kind: str, landing: Path, work: Path) -> list[dict]:
        days = len(list((landing / "orders").glob("*.csv")))
        seen.append((kind, days, work.parent.name))
        return [{"name": "total", "seconds": 1.0, "peak_bytes": 0}]

    monkeypatch.setattr(bench_run, "_worker", measure)
    monkeypatch.setattr(bench_run, "time_queries", lambda warehouse, **_: [str(warehouse)])
    checkpoint, work = tmp_path / "results.json", tmp_path / "work"
    plan = Plan((3, 1), orders_per_day=5, peer_days=(1,))
    results = bench_run.run(plan, work, SAMPLE, checkpoint)
    assert results["generate"]["days"] == 4 and results["generate"]["rows"]["orders"] == 20
    assert seen == [
        ("ours", 1, "1d"),
        ("floor", 1, "1d"),
        ("peer", 1, "1d"),
        ("ours", 2, "1d"),  # one more day, on the warehouse just built
        ("peer", 2, "1d"),
        ("ours", 3, "3d"),
        ("floor", 3, "3d"),
        ("ours", 4, "3d"),
    ]
    assert [s["incremental_day"] for s in results["scales"]] == ["2025-01-02", "2025-01-04"]
    assert results["queries"] == [str(work / "3d" / "ours" / "warehouse")]  # the longest
    assert json.loads(checkpoint.read_text())["scales"] == results["scales"][:2]
    assert sorted(p.name for p in work.iterdir()) == ["generated"]  # lengths cleaned up


def test_a_plan_refuses_a_peer_length_it_does_not_build():
    with pytest.raises(ValueError, match=r"peer's history lengths \[90\] are not among .* \(30\)"):
        Plan((30,), 20_000, peer_days=(90,))


def test_plan_counts_its_stages():
    # generate; ours, floor, one more day at 30 and 90; the peer twice at 90; queries
    assert Plan((30, 90), 20_000, peer_days=(90,)).stages() == 1 + 3 * 2 + 2 + 1


@pytest.mark.e2e
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


def _run(total: float, ingest: float, build: float, peak_gib: float, **layers) -> list[dict]:
    steps = [{"name": "ingest", "seconds": ingest, "peak_bytes": GIB}]
    steps += [{"name": "dbt build", "seconds": build, "peak_bytes": int(peak_gib * GIB)}]
    steps += [{"name": f"dbt {k}", "seconds": v, "peak_bytes": GIB} for k, v in layers.items()]
    return [*steps, {"name": "total", "seconds": total, "peak_bytes": int(peak_gib * GIB)}]


def _scale(days: int, **runs) -> dict:
    return {
        "days": days,
        "rows": {"orders": 10 * days, "order_items": 50 * days},
        "incremental_rows": {"orders": 10 * days + 10, "order_items": 50 * days + 50},
        "floor": [{"name": "total", "seconds": 2.0 * days, "peak_bytes": 0}],
        **runs,
    }


def _results(*scales: dict) -> dict:
    machine = dict.fromkeys(("cpu", "cores", "memory_gib", "os", "python", "java"), "-")
    machine |= {"packages": {}, "load_average_start": [0.0], "load_average_end": [0.0]}
    generated = {"days": 91, "orders_per_day": 10, "rows": {"order_items": 4550}, "seconds": 2.0}
    return {
        "machine": machine,
        "started": "-",
        "finished": "-",
        "generate": generated,
        "scales": list(scales),
    }


RESULTS = _results(
    _scale(
        30,
        ours=_run(30.0, 3.0, 20.0, 1.5),
        incremental=_run(6.0, 1.0, 4.0, 1.0, silver=1.5, tests=2.0),
    ),
    _scale(
        90,
        ours=_run(90.0, 5.0, 25.0, 3.5),
        peer=_run(300.0, 100.0, 190.0, 12.0),
        incremental=_run(9.0, 1.0, 5.0, 2.0, silver=2.5, tests=2.0),
        peer_incremental=[{"name": "files loaded", "files": {}}, *_run(60.0, 9.0, 40.0, 8.0)],
    ),
)


def test_figures_give_the_target_ratios_at_each_history_length():
    short, long = figures.ratios(RESULTS)
    assert (short["ours_over_floor"], long["ours_over_floor"]) == (30.0 / 60.0, 90.0 / 180.0)
    assert (short["incremental_over_full"], long["incremental_over_full"]) == (0.2, 0.1)
    assert "ours_over_peer" not in short
    # the same work: ingest + `dbt build` against the peer's whole run
    assert long["ours_over_peer"] == 30.0 / 300.0
    assert long["incremental_over_peer"] == 6.0 / 60.0
    assert (long["ours_peak_gib"], long["incremental_peak_gib"]) == (3.5, 2.0)
    assert long["peer_peak_gib"] == 12.0


def test_markdown_tables_the_goals_and_the_day_by_history(tmp_path):
    text = figures.markdown(RESULTS)
    assert "| 90 | 4,500 | 90.0 | 180.0 | 0.5x | 9.0 | 10% | 300.0 | 0.10x | 60.0 | 0.10x" in text
    assert "| 30 | 1,500 | 30.0 | 60.0 | 0.5x | 6.0 | 20% | n/a | n/a | n/a | n/a" in text
    assert "4,550 line items in 2.0 s (2,275 line items/s)" in text
    # one more day, a column per history length, a row per step (seconds; peak)
    assert "| step | 30 days | 90 days |" in text
    assert "| dbt silver | 1.5; 1.00 | 2.5; 1.00 |" in text
    # per step where the peer ran, the four runs side by side
    assert "Per step at 90 days (4,500 line items):" in text
    assert "| peer incremental (s) |" in text
    figures.plot(RESULTS, tmp_path / "bench.png")
    assert (tmp_path / "bench.png").stat().st_size > 0


def test_markdown_says_when_maintenance_rewrote_no_table():
    query = {"query": "q", "table": "silver.order_items", "files_before": 2, "files_after": 1}
    query |= {"seconds_before": 0.2, "seconds_after": 0.1}
    maintained = {"schema": "silver", "table": "order_items", "files_before": 2, "seconds": 1.5}
    results = {**RESULTS, "queries": [query]}
    longest = results["scales"][-1]

    def with_maintained(files_after: int) -> str:
        ours = [
            *longest["ours"],
            {"name": "maintained", "tables": [maintained | {"files_after": files_after}]},
        ]
        scales = [*results["scales"][:-1], longest | {"ours": ours}]
        return figures.markdown(results | {"scales": scales})

    assert "| silver.order_items | 2 | 1 | 1.5 |" in with_maintained(1)
    unchanged = with_maintained(2)
    assert "Maintenance after the build from scratch rewrote no table." in unchanged
    assert "\n| table | files before |" not in unchanged


def _result(unique_id: str, started: str, completed: str) -> dict:
    timing = [{"started_at": f"2026-01-01T00:00:{started}Z", "completed_at": "-"}]
    timing.append({"started_at": "-", "completed_at": f"2026-01-01T00:00:{completed}Z"})
    return {"unique_id": unique_id, "timing": timing, "execution_time": 1.0}


def test_a_layer_run_on_several_threads_counts_its_wall_time():
    # two dbt threads: the silver models side by side, then staging and a test
    run_results = {
        "results": [
            _result("model.lakehouse.silver_orders", "10", "20"),
            _result("model.lakehouse.silver_order_items", "12", "24"),
            _result("model.lakehouse.stg_shop__orders", "01", "09"),
            _result("test.lakehouse.unique_orders", "21", "23"),
        ]
    }
    schema = {"config": {"schema": "silver"}}
    manifest = {
        "nodes": {
            "model.lakehouse.silver_orders": schema,
            "model.lakehouse.silver_order_items": schema,
            "model.lakehouse.stg_shop__orders": {"config": {"schema": "staging"}},
        }
    }
    windows = steps_of_dbt_build(run_results, manifest)
    assert sorted(windows) == ["silver", "staging", "tests"]
    memory = MemorySampler(samples=[(windows["silver"][0][0] + 1, 3 * GIB)])
    silver = _step("dbt silver", windows["silver"], memory)
    assert silver["seconds"] == 14.0  # 10 s to 24 s, not 10 + 12
    assert silver["peak_bytes"] == 3 * GIB


def test_a_failed_measurement_shows_the_end_of_its_log(tmp_path):
    """The scratch folder goes with the failure, so the error carries the worker's log."""
    landing = tmp_path / "30d" / "landing"  # never landed: the floor finds nothing to read
    with pytest.raises(RuntimeError, match=r"(?s)floor on 30d failed \(exit 1\):.*Traceback"):
        bench_run._worker("floor", landing, tmp_path / "30d" / "floor")
