"""`lakehouse validate`: what a run would do with each file and row of a landing folder,
writing nothing to the warehouse.

The run's own code decides, in a scratch warehouse in a temporary folder: ingestion loads
the raw files there as a run would load them into the given warehouse (the files its
Bronze already holds are skipped), the given warehouse's Silver orders and products are
copied there (so line items meet the orders and products a run would find), and dbt runs
the staging, Silver and quarantine models there (`dbt run --selector silver`: no tests, no
Gold). Each row of the scratch Bronze then is in exactly one place (the row accounting of
`bronze_rows_accounted_for`): current in Silver, superseded by a later delivery of its key
in the folder, quarantined with its reason, or held back. The given warehouse is only read.
"""

import json
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import IntEnum
from pathlib import Path

from lakehouse.bronze.loader import FileResult, Outcome
from lakehouse.datasets import DATASETS
from lakehouse.local.pipeline import PipelineError, ingest
from lakehouse.transform import dbt_runner
from lakehouse.warehouse.tables import copy_table, open_table, query

# The Silver tables line items are checked against (quarantine_order_items.sql).
LOOKUPS = ("orders", "products")


class Verdict(IntEnum):
    """The exit code of `lakehouse validate` (2, as for a usage error: no verdict)."""

    LOADS = 0  # every row would reach Silver (or be superseded by a later one of the folder)
    FAULTY = 1  # a row would be quarantined or a file rejected
    HELD_BACK = 3  # nothing faulty, but line items would wait for their order


@dataclass(frozen=True)
class FileVerdict:
    dataset: str
    file: str  # relative to the landing folder
    outcome: str  # the ingest outcome: loaded, skipped, empty or rejected
    detail: str  # why it was skipped or rejected, or which columns are ignored
    rows: int = 0
    to_silver: int = 0
    superseded: int = 0  # by a later delivery of the same key in the folder
    held_back: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)  # reason -> rows


@dataclass(frozen=True)
class QuarantinedRow:
    dataset: str
    file: str
    row: int  # the data row of the file, header not counted (Bronze's _row_number)
    reason: str
    held_back: bool
    values: dict[str, str]  # the columns as delivered


@dataclass(frozen=True)
class Validation:
    raw: str
    warehouse: str | None  # compared with, read only
    files: list[FileVerdict]
    rows: list[QuarantinedRow]  # the first ones, rule breakers before held-back items

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "exit_code": int(self.verdict)}, indent=2)

    @property
    def verdict(self) -> Verdict:
        if any(f.outcome == Outcome.REJECTED or f.quarantined for f in self.files):
            return Verdict.FAULTY
        if any(f.held_back for f in self.files):
            return Verdict.HELD_BACK
        return Verdict.LOADS


def validate(
    raw_dir: Path,
    warehouse: Path | None,
    on_file: Callable[[FileResult], None] = lambda _: None,
    first_rows: int = 20,
) -> Validation:
    """Validate RAW against `warehouse` (None: an empty one). Raises PipelineError when the
    validation itself fails."""
    if warehouse is not None and not warehouse.is_dir():
        raise PipelineError(
            "validate",
            f"warehouse {warehouse} does not exist; leave out --warehouse (and unset "
            "LAKEHOUSE_WAREHOUSE) to validate against an empty warehouse",
        )
    with tempfile.TemporaryDirectory(prefix="lakehouse-validate-") as scratch_dir:
        scratch = Path(scratch_dir)
        files = ingest(raw_dir, scratch / "warehouse", on_file, load_after=warehouse)
        if any(f.outcome == Outcome.LOADED for f in files):
            if warehouse is not None:
                for table in LOOKUPS:
                    copy_table(warehouse, scratch / "warehouse", "silver", table)
            _run_models(scratch)
        return Validation(
            raw=str(raw_dir),
            warehouse=str(warehouse) if warehouse is not None else None,
            files=[_file_verdict(scratch / "warehouse", raw_dir, f) for f in files],
            rows=_quarantined_rows(scratch / "warehouse", first_rows),
        )


def _run_models(scratch: Path) -> None:
    dbt_runner.use_warehouse(scratch / "warehouse")
    outcome = dbt_runner.install_packages()
    if outcome.success:
        # dbt's artifacts and log go to the scratch folder too: the project's target/
        # holds the last run's, which its quality report reads
        paths = ["--target-path", str(scratch / "target"), "--log-path", str(scratch / "logs")]
        outcome = dbt_runner.invoke(["run", "--selector", "silver", *paths])
    if not outcome.success:
        detail = "; ".join(outcome.failures) or outcome.exception or "see the dbt log above"
        hint = f" {outcome.hint}" if outcome.hint else ""
        raise PipelineError("dbt run", f"{detail}{hint}")


def _file_verdict(scratch: Path, raw_dir: Path, result: FileResult) -> FileVerdict:
    file = str(result.path.relative_to(raw_dir))
    verdict = FileVerdict(result.dataset, file, str(result.outcome), result.detail)
    if result.outcome != Outcome.LOADED:
        return verdict
    where = f"where _file_hash = '{result.file_hash}'"
    silver = open_table(scratch, "silver", result.dataset)
    quarantine = open_table(scratch, "quarantine", result.dataset)
    if silver is None or quarantine is None:
        raise PipelineError("validate", f"dbt built no silver or quarantine {result.dataset}")
    to_silver = query(f"select count(*) as n from t {where}", t=silver)[0]["n"]
    held_back = 0
    quarantined: Counter[str] = Counter()
    sql = f"select _reason, _is_held_back, count(*) as n from t {where} group by 1, 2"
    for r in query(sql, t=quarantine):
        if r["_is_held_back"]:
            held_back += r["n"]
        else:
            quarantined[r["_reason"]] += r["n"]
    return FileVerdict(
        result.dataset,
        file,
        str(result.outcome),
        result.detail,
        rows=result.rows,
        to_silver=to_silver,
        superseded=result.rows - to_silver - held_back - sum(quarantined.values()),
        held_back=held_back,
        quarantined=dict(sorted(quarantined.items())),
    )


def _quarantined_rows(scratch: Path, limit: int) -> list[QuarantinedRow]:
    rows = []
    for dataset in DATASETS.values():
        quarantine = open_table(scratch, "quarantine", dataset.name)
        if quarantine is None:  # nothing was loaded, dbt did not run
            continue
        columns = ", ".join(f'"{c}"' for c in dataset.required_columns)
        sql = (
            f"select {columns}, _source_file, _row_number, _reason, _is_held_back from t "
            f"order by _is_held_back, _source_file, _row_number limit {limit}"
        )
        rows += [
            QuarantinedRow(
                dataset.name,
                r["_source_file"],
                r["_row_number"],
                r["_reason"],
                r["_is_held_back"],
                {c: r[c] for c in dataset.required_columns},
            )
            for r in query(sql, t=quarantine)
        ]
    return sorted(rows, key=lambda r: r.held_back)[:limit]
