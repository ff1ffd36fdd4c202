"""What a run leaves in the warehouse, counted from the Delta tables themselves."""

from collections import Counter
from pathlib import Path

from ingestion.warehouse import count_rows, open_table, query, registered_tables

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
        for row in query("select _reason, count(*) as n from t group by _reason", t=delta):
            reasons[(table, row["_reason"])] += row["n"]
    return reasons
