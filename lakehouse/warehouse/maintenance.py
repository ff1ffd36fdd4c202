"""Delta table maintenance after a load: compaction, Z-order, vacuum.

One plan, declared in the dbt project, two engines carrying it out:
- which tables: every table dbt builds (every model but the ephemeral ones and views) and
  every Bronze source; which columns to Z-order by: a model's `meta.zorder_by`; how long
  removed files stay for time travel: the `maintenance_retain_hours` var.
- on the local engine, here, with delta-rs: Sail does not parse OPTIMIZE or VACUUM.
- on Spark with Delta (Glue), with SQL: `dbt run-operation maintain_tables`
  (macros/maintenance.sql) runs `optimize ... zorder by` and `vacuum ... retain`.
`lakehouse maintain` picks the engine from the dbt target.
"""

import json
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import yaml
from deltalake import DeltaTable

from lakehouse.transform import dbt_runner
from lakehouse.warehouse.tables import open_table

# models that leave no Delta table of their own (the `is_a_table` macro, macros/maintenance.sql)
NOT_TABLES = ("ephemeral", "view")
# Commits of maintenance itself: a table whose last commit is one of them has not changed.
MAINTENANCE_OPERATIONS = {"OPTIMIZE", "VACUUM START", "VACUUM END"}
# Compact once a partition holds this many files. Compacting at every load rewrote all of
# Bronze each day (its compacted files stay under the 100 MB target, so each new day's file
# was packed with them again: 7.7 s of a 10M line-item incremental run). Bronze gains one
# file per table and run (one commit per dataset), so daily runs compact it every 8 days
# and a build from scratch leaves it nothing to compact.
COMPACT_AT_FILES = 8


@dataclass(frozen=True)
class TablePlan:
    schema: str
    table: str
    zorder_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableOutcome:
    schema: str
    table: str
    files_before: int
    files_after: int
    files_vacuumed: int
    seconds: float


def retain_hours(project_dir: Path = dbt_runner.PROJECT_DIR) -> int:
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
    return int(project["vars"]["maintenance_retain_hours"])


def plan(manifest: dict) -> list[TablePlan]:
    """The tables to maintain, from dbt's manifest (target/manifest.json)."""
    tables = [
        TablePlan(node["schema"], node["alias"], tuple(node["config"]["meta"].get("zorder_by", ())))
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] not in NOT_TABLES
    ]
    tables += [
        TablePlan(source["schema"], source["identifier"]) for source in manifest["sources"].values()
    ]
    return sorted(tables, key=lambda t: (t.schema, t.table))


def maintain_locally(warehouse: Path, manifest_path: Path | None = None) -> list[TableOutcome]:
    """Maintain every planned table of a local warehouse with delta-rs."""
    manifest = json.loads((manifest_path or dbt_runner.TARGET_DIR / "manifest.json").read_text())
    hours = retain_hours()
    outcomes = []
    for table in plan(manifest):
        delta = open_table(warehouse, table.schema, table.table)
        if delta is not None:
            outcomes.append(_maintain(delta, table, hours))
    return outcomes


def file_count(delta: DeltaTable) -> int:
    return len(delta.file_uris())


def _maintain(delta: DeltaTable, table: TablePlan, hours: int) -> TableOutcome:
    started = time.perf_counter()
    before = file_count(delta)
    if delta.history(1)[0]["operation"] not in MAINTENANCE_OPERATIONS:
        files = _files_per_partition(delta)
        crowded = [partition for partition, count in files.items() if count > 1]
        if table.zorder_by and crowded:
            # Z-order rewrites whole partitions: only those written to since the last run
            # of maintenance (more than one file), so a daily load re-sorts one day. A
            # partition of one file is left alone: its one row group gains nothing.
            filters = _partition_filters(delta, crowded)
            delta.optimize.z_order(list(table.zorder_by), partition_filters=filters)
        elif max(files.values(), default=0) >= COMPACT_AT_FILES:
            delta.optimize.compact()  # bin-packs the small files
    vacuumed = delta.vacuum(retention_hours=hours, dry_run=False)
    seconds = time.perf_counter() - started
    return TableOutcome(
        table.schema, table.table, before, file_count(delta), len(vacuumed), seconds
    )


def _files_per_partition(delta: DeltaTable) -> dict[tuple, int]:
    columns = delta.metadata().partition_columns
    actions = pa.table(delta.get_add_actions(flatten=True))
    files: dict[tuple, int] = defaultdict(int)
    keys = zip(*(actions[f"partition.{c}"].to_pylist() for c in columns), strict=True)
    for key in keys if columns else [()] * actions.num_rows:
        files[key] += 1
    return files


def _partition_filters(delta: DeltaTable, partitions: list[tuple]) -> list | None:
    columns = delta.metadata().partition_columns
    if not columns:
        return None
    if len(columns) > 1:
        raise ValueError(f"{delta.table_uri}: Z-order by partition needs one partition column")
    return [(columns[0], "in", [str(key[0]) for key in partitions])]
