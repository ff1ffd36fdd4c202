"""The quality report of a run: a page for people and JSON for machines, side by side.

Written to WAREHOUSE/reports/<run id>/ (and copied to WAREHOUSE/reports/latest/):
index.html, quality.json, and dbt's own run_results.json and sources.json.
"""

import json
import shutil
from collections import Counter
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from deltalake import DeltaTable
from jinja2 import Environment, PackageLoader, select_autoescape

from lakehouse.bronze.loader import FileResult
from lakehouse.datasets import DATASETS
from lakehouse.warehouse.tables import (
    count_rows,
    open_table,
    query,
    registered_tables,
    table_path,
)

TEST_STATUSES = ("pass", "warn", "fail", "error", "skipped")
LAYERS = ("bronze", "silver", "quarantine", "gold")
ACCOUNTING_TEST = "bronze_rows_accounted_for"
RAN = ("pass", "warn", "fail")  # the test statuses that mean it ran to an outcome


def build(
    warehouse: Path,
    files: list[FileResult],
    seconds: dict[str, float],
    dbt_target: Path,
    checked_at: datetime,
    tests_since: datetime | None = None,
) -> dict:
    """The figures of a run whose `dbt build`, its data tests with it, ended at CHECKED_AT,
    and whose data tests checked what changed since TESTS_SINCE (None: whole tables)."""
    run_results = _read_json(dbt_target / "run_results.json")
    manifest = _read_json(dbt_target / "manifest.json")
    tests = _tests(run_results, manifest)
    tables = _rows_per_table(warehouse)
    rows = {(t["schema"], t["table"]): t["rows"] for t in tables}
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "checked_at": checked_at.isoformat(),
        "tests_since": tests_since.isoformat() if tests_since else None,
        "warehouse": str(warehouse),
        "seconds": seconds,
        "tests": tests,
        "test_counts": dict(Counter(t["status"] for t in tests)),
        "freshness": _freshness(_read_json(dbt_target / "sources.json")),
        "files": [{**asdict(f), "path": str(f.path), "outcome": str(f.outcome)} for f in files],
        "tables": tables,
        "quarantine": _quarantine(warehouse),
        "accounting": [_accounting(warehouse, name, rows, tests) for name in DATASETS],
    }


def write(warehouse: Path, report: dict, dbt_target: Path) -> Path:
    """Write the report; return the path of its page."""
    run_id = report["generated_at"].replace(":", "").replace("+0000", "Z")
    folder = warehouse / "reports" / run_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "quality.json").write_text(json.dumps(report, indent=2, default=str))
    for artifact in ("run_results.json", "sources.json"):
        if (dbt_target / artifact).exists():
            shutil.copyfile(dbt_target / artifact, folder / artifact)
    (folder / "index.html").write_text(render(report))
    latest = warehouse / "reports" / "latest"
    shutil.rmtree(latest, ignore_errors=True)
    shutil.copytree(folder, latest)
    return folder / "index.html"


def checked_until(warehouse: Path) -> datetime | None:
    """When the build of the warehouse's latest run ended, if its data tests all passed
    (warnings allowed): what that run and the runs before it changed is checked. None when
    there is none, or the latest run failed a test: the next run checks whole tables."""
    latest = _read_json(warehouse / "reports" / "latest" / "quality.json")
    data_tests = [t for t in latest.get("tests", []) if t["kind"] == "data"]
    if not latest.get("checked_at") or not data_tests:
        return None  # no run yet, or one written before runs recorded it
    if any(t["status"] not in ("pass", "warn") for t in data_tests):
        return None
    return datetime.fromisoformat(latest["checked_at"])


def render(report: dict) -> str:
    env = Environment(
        loader=PackageLoader("lakehouse.local", "templates"), autoescape=select_autoescape()
    )
    return env.get_template("report.html.j2").render(report=report, statuses=TEST_STATUSES)


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def _tests(run_results: dict, manifest: dict) -> list[dict]:
    nodes = manifest.get("nodes", {})
    unit_tests = manifest.get("unit_tests", {})
    tests = []
    for result in run_results.get("results", []):
        unique_id = result["unique_id"]
        if not unique_id.startswith(("test.", "unit_test.")):
            continue
        node = nodes.get(unique_id) or unit_tests.get(unique_id) or {}
        tests.append(
            {
                "name": node.get("name", unique_id),
                "kind": "unit" if unique_id.startswith("unit_test.") else "data",
                "status": result["status"],
                "severity": node.get("config", {}).get("severity", "ERROR").lower(),
                "failures": result.get("failures"),
                "message": result.get("message") or "",
                "stored_failures": (result.get("relation_name") or ""),
            }
        )
    order = {status: i for i, status in enumerate(("error", "fail", "warn", "skipped", "pass"))}
    return sorted(tests, key=lambda t: (order.get(t["status"], 9), t["name"]))


def _freshness(sources: dict) -> list[dict]:
    return [
        {
            "source": r["unique_id"].split(".", 2)[-1],
            "status": r["status"],
            "max_loaded_at": r.get("max_loaded_at"),
            "age_hours": round(r["max_loaded_at_time_ago_in_s"] / 3600, 1)
            if r.get("max_loaded_at_time_ago_in_s") is not None
            else None,
        }
        for r in sources.get("results", [])
    ]


def _rows_per_table(warehouse: Path) -> list[dict]:
    tables = sorted(t for t in registered_tables(warehouse) if t[0] in LAYERS)
    counts = [(schema, table, count_rows(warehouse, schema, table)) for schema, table in tables]
    return [{"schema": s, "table": t, "rows": n} for s, t, n in counts if n is not None]


def _quarantine(warehouse: Path) -> list[dict]:
    rows = []
    for name in DATASETS:
        delta = open_table(warehouse, "quarantine", name)
        if delta is None:
            continue
        sql = (
            "select _reason as reason, _source_file as source_file, count(*) as rows "
            "from t group by _reason, _source_file order by rows desc"
        )
        rows += [{"table": name, **r} for r in query(sql, t=delta)]
    return rows


def _accounting(
    warehouse: Path, dataset: str, rows: dict[tuple[str, str], int], tests: list[dict]
) -> dict:
    """Where the rows of Bronze are now. Current, quarantined and held-back rows are
    counted from their tables; `unaccounted` comes from the rows the dbt test
    `bronze_rows_accounted_for` names (found nowhere: +1 each; in n places: 1 - n each),
    and the superseded rows are the rest. The test, not this page, decides each row's place:
    the rule is written once, and its join runs in the engine's memory pool. None when the
    test did not run to an outcome this run (the build stopped before it, or it errored)."""
    bronze, silver, quarantine = (rows.get((layer, dataset)) for layer in LAYERS[:3])
    if bronze is None or silver is None or quarantine is None:
        return {"dataset": dataset, "bronze": None}
    held_back = query(
        "select count(*) as n from t where _is_held_back",
        t=_table(warehouse, "quarantine", dataset),
    )[0]["n"]
    unaccounted = _unaccounted(warehouse, dataset, tests)
    return {
        "dataset": dataset,
        "bronze": bronze,
        "current_in_silver": silver,
        "superseded": None if unaccounted is None else bronze - silver - quarantine - unaccounted,
        "quarantined": quarantine - held_back,
        "held_back": held_back,
        "unaccounted": unaccounted,
    }


def _unaccounted(warehouse: Path, dataset: str, tests: list[dict]) -> int | None:
    """Rows missing minus rows counted more than once, from the test's stored failures
    (rebuilt by every run of the test, empty when it passes)."""
    ran = any(t["name"] == ACCOUNTING_TEST and t["status"] in RAN for t in tests)
    failures = open_table(warehouse, "test_failures", ACCOUNTING_TEST)
    if not ran or failures is None:
        return None
    sql = f"select coalesce(sum(1 - places), 0) as n from t where dataset = '{dataset}'"
    return query(sql, t=failures)[0]["n"]


def _table(warehouse: Path, schema: str, table: str) -> DeltaTable:
    delta = open_table(warehouse, schema, table)
    if delta is None:
        location = table_path(warehouse, schema, table)
        raise FileNotFoundError(f"{location}: no Delta table, though Bronze has rows for it")
    return delta
