"""Read one raw file (CSV or Excel) into an Arrow table of strings, exactly as delivered.

Bronze keeps values as text so that nothing is lost to a wrong guess about types; typing
and validation of values happen in the dbt staging models.
"""

import csv
import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.csv as pacsv
from openpyxl.utils.exceptions import InvalidFileException

from lakehouse.datasets import Dataset


class RawFileError(Exception):
    """A raw file that cannot be loaded at all; the message names the file and the fault."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class RawFile:
    table: pa.Table  # the dataset's required columns, every value as delivered text
    ignored_columns: tuple[str, ...]  # extra columns of the file, not kept in Bronze


def read_raw_file(path: Path, dataset: Dataset) -> RawFile:
    """Read `path` and check its header against `dataset`. Column names are matched
    case-insensitively and without surrounding blanks."""
    if path.suffix.lower() == ".xlsx":
        header, table = _read_xlsx(path)
    elif path.suffix.lower() == ".csv":
        header, table = _read_csv(path)
    else:
        raise RawFileError(path, f"unsupported file type '{path.suffix}' (expected .csv or .xlsx)")
    _check_header(path, header, dataset)
    return RawFile(
        table=table.select(list(dataset.required_columns)),
        ignored_columns=tuple(c for c in header if c not in dataset.required_columns),
    )


def _normalise(name: object) -> str:
    return str(name if name is not None else "").strip().lower()


def _check_header(path: Path, header: list[str], dataset: Dataset) -> None:
    if not any(header):
        raise RawFileError(path, "the file is empty: no header row")
    duplicated = sorted({c for c in header if c and header.count(c) > 1})
    if duplicated:
        raise RawFileError(path, f"duplicated column(s) in header: {', '.join(duplicated)}")
    missing = [c for c in dataset.required_columns if c not in header]
    if missing:
        raise RawFileError(
            path,
            f"missing required column(s) {', '.join(missing)} for dataset '{dataset.name}' "
            f"(header has: {', '.join(header)})",
        )


def _read_csv(path: Path) -> tuple[list[str], pa.Table]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            first_line = f.readline()
    except UnicodeDecodeError as e:
        raise RawFileError(path, f"not a UTF-8 text file ({e.reason} at byte {e.start})") from e
    if not first_line.strip():
        raise RawFileError(path, "the file is empty: no header row")
    header = [_normalise(n) for n in next(csv.reader([first_line]))]
    try:
        try:
            table = _parse_csv(path, header)
        except pa.ArrowInvalid as e:
            if "straddles two block boundaries" not in str(e):
                raise
            # A row longer than Arrow's block (1 MB): one block for the whole file reads it,
            # and only such a file pays for the parse on one thread.
            table = _parse_csv(path, header, block_size=min(path.stat().st_size + 1, 2**31 - 1))
    except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
        # Arrow names the faulty row ("Row #12: Expected 9 columns, got 3").
        raise RawFileError(path, f"not a well-formed CSV file: {e}") from e
    return header, table


def _parse_csv(path: Path, header: list[str], block_size: int | None = None) -> pa.Table:
    return pacsv.read_csv(
        path,
        # One thread: a threaded parse that fails (an unclosed quote) can leave a worker of
        # Arrow's pool waiting forever, and the process then hangs at exit (pyarrow 19). On
        # 70 MB of line items one thread parses as fast as two: the columns stay text.
        read_options=pacsv.ReadOptions(
            column_names=header, skip_rows=1, block_size=block_size, use_threads=False
        ),
        # Arrow cuts the file into blocks at line ends; only when told that a quoted value
        # may hold one does it cut outside quotes (else an unclosed quote loses rows unsaid).
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _read_xlsx(path: Path) -> tuple[list[str], pa.Table]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as e:
        raise RawFileError(path, f"not a readable Excel (.xlsx) workbook: {e}") from e
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_normalise(v) for v in next(rows, ())]
        while header and not header[-1]:
            header.pop()
        columns: list[list[str]] = [[] for _ in header]
        for values in rows:
            if all(v is None or v == "" for v in values):
                continue
            cells = list(values) + [None] * (len(header) - len(values))
            for column, value in zip(columns, cells, strict=False):
                column.append(_cell_text(value))
    finally:
        workbook.close()
    table = pa.table(
        {name: pa.array(col, pa.string()) for name, col in zip(header, columns, strict=True)}
    )
    return header, table


def _cell_text(value: object) -> str:
    """Render an Excel cell as the text a CSV export of the same sheet would carry."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        # Excel stores dates as datetimes: a date cell comes back at midnight.
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
