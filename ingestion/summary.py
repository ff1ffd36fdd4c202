"""What a run leaves in the warehouse, counted from the Delta tables themselves."""

from collections import Counter
from pathlib import Path

import pyarrow.compute as pc

from ingestion.warehouse import count_rows, open_table, registered_tables

LAYERS = ("bronze", "silver", "quarantine", "gold")


def rows_per_table(warehouse: Path) -> dict[tuple[str, str], int]:
    tables = sorted(t for t in registered_tables(warehouse) if t[0] in LAYERS)
    counts = {t: count_rows(warehouse, *t) for t in tables}
    return {t: n for t, n in counts.items() if n is not None}


def quarantine_reasons(warehouse: Path) -> Counter[tuple[str, str]]:
    """(table, reason) -> number of rows held in quarantine."""
    reasons: Counter[tuple[str, str]] = Counter()
    for schema, table in registered_tables(warehouse):
        delta = open_table(warehouse, schema, table) if schema == "quarantine" else None
        if delta is None:
            continue
        column = delta.to_pyarrow_dataset().to_table(columns=["_reason"]).column("_reason")
        for row in pc.value_counts(column).to_pylist():
            reasons[(table, row["values"])] += row["counts"]
    return reasons
