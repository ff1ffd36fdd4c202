"""Append raw files to the Bronze Delta tables, each file once whatever its name.

A file's identity is the SHA-256 of its bytes. A run's new files of a dataset, their rows
and their `_file_hash`, are committed to Bronze in one Delta append, so the check "already
loaded?" reads Bronze itself: a run killed at any point commits nothing of the dataset it
was loading, and never leaves a file half-loaded or loaded twice. One commit, not one per
file, also writes files of the table's target size, where a file each would leave a small
Parquet file per day for maintenance to compact. Each file's
`_loaded_at` is later than the previous file's of the dataset: the load order, which the
models use to pick the latest delivery of a key.
"""

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable, write_deltalake

from lakehouse.bronze.readers import RawFileError, read_raw_file
from lakehouse.datasets import Dataset
from lakehouse.warehouse.tables import (
    distinct_values,
    latest_value,
    open_table,
    table_path,
)

BRONZE = "bronze"


class Outcome(StrEnum):
    LOADED = "loaded"
    SKIPPED = "skipped"  # same content already in Bronze
    EMPTY = "empty"  # header only: nothing to load, not an error
    REJECTED = "rejected"


@dataclass(frozen=True)
class FileResult:
    dataset: str
    path: Path
    outcome: Outcome
    rows: int = 0
    detail: str = ""  # why a file was skipped or rejected, or which columns were ignored
    file_hash: str = ""  # SHA-256 of the file's bytes


@dataclass
class BronzeLoader:
    """Loads the files of one dataset; remembers the hashes it has seen in this run."""

    warehouse: Path | str  # a local folder or an s3:// URI
    dataset: Dataset
    raw_root: Path
    # The table's schema, also its folder: WAREHOUSE/<database>/<dataset>. On AWS it is the
    # environment's Glue database (prod_bronze), as for every table dbt builds.
    database: str = BRONZE
    _seen: dict[str, str] = field(default_factory=dict)  # file hash -> source file
    _delta: DeltaTable = field(init=False)  # opened (or created) by __post_init__
    _last_loaded_at: datetime = datetime.min.replace(tzinfo=UTC)

    def __post_init__(self) -> None:
        delta = open_table(self.warehouse, self.database, self.dataset.name)
        if delta is None:
            # Every Bronze table exists from the first run on, empty until its first file
            # lands, so that the models downstream of a dataset not delivered yet still run.
            location = table_path(self.warehouse, self.database, self.dataset.name)
            delta = DeltaTable.create(location, bronze_schema(self.dataset))
        else:
            self._seen = {h: "an earlier run" for h in distinct_values(delta, "_file_hash")}
            self._last_loaded_at = latest_value(delta, "_loaded_at") or self._last_loaded_at
        # Appends go through this open table: opening it by path for each file would read
        # the whole Delta log again (a third of the time per file with 90 days loaded).
        self._delta = delta

    def load_after(self, warehouse: Path | str) -> None:
        """Load as if into `warehouse`, only reading it: skip the files its Bronze holds and
        load later than its rows (validation loads into a scratch warehouse instead)."""
        delta = open_table(warehouse, self.database, self.dataset.name)
        if delta is None:
            return
        self._seen |= {h: f"a file in {warehouse}" for h in distinct_values(delta, "_file_hash")}
        latest = latest_value(delta, "_loaded_at")
        self._last_loaded_at = max(self._last_loaded_at, latest or self._last_loaded_at)

    def load(
        self,
        paths: Iterable[Path],
        known_hash: Callable[[Path], str | None] = lambda _: None,
        on_file: Callable[[FileResult], None] = lambda _: None,
    ) -> list[FileResult]:
        """Load `paths`, in that order, in one Delta commit; their results in the same order.

        The files stream into the commit one at a time, so memory holds one file's rows,
        not the dataset's. `known_hash(path)`, the file's SHA-256 when the caller already
        knows it, spares reading a file that Bronze already holds. `on_file` hears of every
        file after the commit, in load order: a file reported loaded is in Bronze, and the
        callback runs in the caller's thread, not in delta-rs's, which reads the stream on
        a thread of its own runtime (where a callback touching a Delta table panics). A
        failure before the commit commits nothing and raises; the loader then knows of no
        file of this call.
        """
        delivery = _Delivery(dict(self._seen), self._last_loaded_at)
        batches = (
            batch for path in paths for batch in self._read(path, known_hash(path), delivery)
        )
        self._append(batches)
        self._seen, self._last_loaded_at = delivery.seen, delivery.last_loaded_at
        for result in delivery.results:
            on_file(result)
        return delivery.results

    def _read(
        self, path: Path, known_hash: str | None, delivery: "_Delivery"
    ) -> Iterator[pa.RecordBatch]:
        """The rows of one file with their load metadata, none if it is not to be loaded."""
        result, rows = self._decide(path, known_hash, delivery)
        delivery.results.append(result)
        if rows is not None:
            yield from rows.to_batches()

    def _decide(
        self, path: Path, known_hash: str | None, delivery: "_Delivery"
    ) -> tuple[FileResult, pa.Table | None]:
        name = self.dataset.name
        if known_hash in delivery.seen:
            file_hash = known_hash
        else:
            file_hash = hashlib.sha256(path.read_bytes()).hexdigest()
        if file_hash in delivery.seen:
            detail = f"same content as {delivery.seen[file_hash]}"
            return FileResult(name, path, Outcome.SKIPPED, detail=detail, file_hash=file_hash), None
        try:
            raw = read_raw_file(path, self.dataset)
        except RawFileError as e:
            rejected = FileResult(
                name, path, Outcome.REJECTED, detail=e.problem, file_hash=file_hash
            )
            return rejected, None
        ignored = f"ignored extra column(s): {', '.join(raw.ignored_columns)}"
        detail = ignored if raw.ignored_columns else ""
        if raw.table.num_rows == 0:
            detail = detail or "header only"
            return FileResult(name, path, Outcome.EMPTY, detail=detail, file_hash=file_hash), None
        # Each file's load time is later than the previous file's, even on a coarse clock:
        # `_loaded_at` orders deliveries, and with `_row_number` it identifies a row.
        loaded_at = max(datetime.now(UTC), delivery.last_loaded_at + timedelta(microseconds=1))
        source_file = _source_file(path, self.raw_root)
        delivery.last_loaded_at = loaded_at
        delivery.seen[file_hash] = source_file  # a later copy in this call is skipped
        rows = _with_load_metadata(raw.table, source_file, file_hash, loaded_at)
        loaded = FileResult(name, path, Outcome.LOADED, raw.table.num_rows, detail, file_hash)
        return loaded, rows

    def _append(self, batches: Iterator[pa.RecordBatch]) -> None:
        """Append the batches in one commit, none when there are none (no empty commit)."""
        first = next(batches, None)
        if first is None:
            return
        failure: list[BaseException] = []

        def remembering_failure() -> Iterator[pa.RecordBatch]:
            try:
                yield first
                yield from batches
            except BaseException as e:
                failure.append(e)
                raise

        stream = pa.RecordBatchReader.from_batches(first.schema, remembering_failure())
        try:
            # delta-rs cuts the stream into files of the table's target size (100 MB unless
            # `delta.targetFileSize` says otherwise), so Bronze starts with nothing to compact.
            write_deltalake(self._delta, stream, mode="append")
        except Exception:
            if failure:
                # The stream's own error (Ctrl-C, a vanished file), not delta-rs's wrapping of it
                raise failure[0] from None
            raise


@dataclass
class _Delivery:
    """What one `load` call has decided so far; the loader adopts it once committed."""

    seen: dict[str, str]  # file hash -> source file, the earlier runs' and this call's
    last_loaded_at: datetime
    results: list[FileResult] = field(default_factory=list)


def _source_file(path: Path, raw_root: Path) -> str:
    return str(path.relative_to(raw_root)) if path.is_relative_to(raw_root) else str(path)


_LOAD_METADATA_COLUMNS: list[tuple[str, pa.DataType]] = [
    ("_source_file", pa.string()),
    ("_file_hash", pa.string()),
    ("_row_number", pa.int64()),
    ("_loaded_at", pa.timestamp("us", tz="UTC")),
]
LOAD_METADATA = pa.schema(_LOAD_METADATA_COLUMNS)


def bronze_schema(dataset: Dataset) -> pa.Schema:
    """The delivered columns as text, then the load metadata."""
    delivered = [pa.field(name, pa.string()) for name in dataset.required_columns]
    return pa.schema(delivered + list(LOAD_METADATA))


def _with_load_metadata(
    table: pa.Table, source_file: str, file_hash: str, loaded_at: datetime
) -> pa.Table:
    rows = table.num_rows
    # Built by Arrow, not from Python lists: a file of 100k rows would otherwise cost
    # 100k Python objects per column.
    metadata = [
        pa.repeat(pa.scalar(source_file, pa.string()), rows),
        pa.repeat(pa.scalar(file_hash, pa.string()), rows),
        # 1..rows without NumPy, which the ingestion Glue job does not ship
        pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.int64()), rows)),
        pa.repeat(pa.scalar(loaded_at, LOAD_METADATA.field("_loaded_at").type), rows),
    ]
    for column, values in zip(LOAD_METADATA, metadata, strict=True):
        table = table.append_column(column, values.cast(column.type))
    return table
