"""The warehouse layout: Delta tables at WAREHOUSE/<schema>/<table>, and its table registry.

Sail's catalog lives in memory for one session, so every new engine session starts with no
tables. The registry (a small Delta table at WAREHOUSE/meta/tables) lists the tables the
warehouse holds; dbt's on-run-start hook re-attaches each table from its Delta log
(`macros/sail/warehouse_registry.sql`), which is how they survive a restart of the engine.
Ingestion registers the Bronze tables here; dbt registers what it builds.
"""

from pathlib import Path

import pyarrow as pa
from deltalake import DeltaTable, QueryBuilder, write_deltalake
from deltalake.exceptions import DeltaError, TableNotFoundError

REGISTRY = ("meta", "tables")
_REGISTRY_SCHEMA = pa.schema([("schema_name", pa.string()), ("table_name", pa.string())])


def table_path(warehouse: Path | str, schema: str, table: str) -> str:
    """A table's location: a local folder, or a URI such as s3://lake/warehouse/bronze/orders
    (delta-rs reads the S3 endpoint and credentials from the standard AWS_* variables)."""
    return f"{str(warehouse).rstrip('/')}/{schema}/{table}"


class UnreadableTable(Exception):
    """A Delta table whose log cannot be read; the message names its folder and the way out."""


def open_table(warehouse: Path | str, schema: str, table: str) -> DeltaTable | None:
    """The Delta table at its place in the layout, or None when it has not been written yet.

    Every run opens each registered table here first (ingestion, `forget_missing_tables`),
    so a damaged log is reported here, naming the table, before the engine meets it."""
    location = table_path(warehouse, schema, table)
    try:
        return DeltaTable(location)
    except TableNotFoundError:
        return None
    except DeltaError as e:
        cause = str(e).splitlines()[0]
        raise UnreadableTable(
            f"the Delta table at {location} cannot be read ({cause}); {_rebuild(schema)}"
        ) from None


def _rebuild(schema: str) -> str:
    if schema == "bronze":
        # Loading decides on the file hashes in Bronze itself (meta/landed_files.json only
        # spares hashing), so every raw file is loaded again; staging appends, hence the
        # full refresh.
        return (
            "delete that folder, then `lakehouse ingest` loads the raw files still in the "
            "landing folder again and `lakehouse dbt build --full-refresh` rebuilds the "
            "tables made from them"
        )
    return "delete that folder, then `lakehouse run` builds the table again"


def query(sql: str, **tables: DeltaTable) -> list[dict]:
    """Run SQL over Delta tables with delta-rs, e.g. query("select count(*) as n from t", t=dt).

    (Reading through `DeltaTable.to_pyarrow_*` with pyarrow < 20, which PySpark 3.5 needs,
    aborts the interpreter at exit; delta-rs's own query engine does not.)
    """
    return query_arrow(sql, **tables).to_pylist()


def query_arrow(sql: str, **tables: DeltaTable) -> pa.Table:
    """`query`, as an Arrow table."""
    builder = QueryBuilder()
    for name, delta in tables.items():
        builder.register(name, delta)
    return pa.table(builder.execute(sql).read_all())


def count_rows(warehouse: Path | str, schema: str, table: str) -> int | None:
    delta = open_table(warehouse, schema, table)
    return None if delta is None else query("select count(*) as n from t", t=delta)[0]["n"]


def registered_tables(warehouse: Path | str) -> set[tuple[str, str]]:
    registry = open_table(warehouse, *REGISTRY)
    if registry is None:
        return set()
    rows = query("select schema_name, table_name from t", t=registry)
    return {(r["schema_name"], r["table_name"]) for r in rows}


def register_table(warehouse: Path | str, schema: str, table: str) -> None:
    """Add a table to the registry (dbt registers the models it builds itself)."""
    if (schema, table) in registered_tables(warehouse):
        return
    row = pa.table({"schema_name": [schema], "table_name": [table]}, schema=_REGISTRY_SCHEMA)
    write_deltalake(table_path(warehouse, *REGISTRY), row, mode="append")


def copy_table(source: Path | str, target: Path | str, schema: str, table: str) -> None:
    """Copy a table's current version, if the source has the table, to the same place in
    another warehouse (partitioned alike) and register it there, reading the source only."""
    delta = open_table(source, schema, table)
    if delta is None:
        return
    write_deltalake(
        table_path(target, schema, table),
        query_arrow("select * from t", t=delta),
        partition_by=delta.metadata().partition_columns or None,
    )
    register_table(target, schema, table)


def forget_missing_tables(warehouse: Path) -> list[tuple[str, str]]:
    """Drop registry entries whose Delta table was deleted by hand, so re-attaching works."""
    registry = open_table(warehouse, *REGISTRY)
    if registry is None:
        return []
    missing = [t for t in registered_tables(warehouse) if open_table(warehouse, *t) is None]
    for schema, table in missing:
        registry.delete(f"schema_name = '{schema}' and table_name = '{table}'")
    return missing


def distinct_values(delta: DeltaTable, column: str) -> set[str]:
    return {r["v"] for r in query(f'select distinct "{column}" as v from t', t=delta)}


def latest_value(delta: DeltaTable, column: str):
    """The column's largest value, or None for an empty table."""
    return query(f'select max("{column}") as v from t', t=delta)[0]["v"]
