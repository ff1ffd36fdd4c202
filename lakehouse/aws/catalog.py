"""Glue Data Catalog entries for Delta tables, so that Spark on Glue and Athena find them.

Athena reads a Delta table natively when its catalog entry carries `table_type=DELTA` and the
table's path as `StorageDescriptor.Location`; it takes the schema from the Delta log. Spark
(Glue 5, Delta 3) recognises `spark.sql.sources.provider=delta` and the `path` serde parameter.
"""

import re

import pyarrow as pa

DELTA_PARAMETERS = {
    "table_type": "DELTA",
    "spark.sql.sources.provider": "delta",
    "EXTERNAL": "TRUE",
}
PLACEHOLDER = "-__PLACEHOLDER__"  # Spark's Location suffix for a table it keeps elsewhere
# The keys of a GetTable answer that UpdateTable takes back (the others are read-only).
_TABLE_INPUT_KEYS = ("Name", "Description", "Owner", "Retention", "TableType", "PartitionKeys")
_HIVE_TYPES = {pa.string(): "string", pa.int64(): "bigint"}


def hive_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_timestamp(arrow_type):
        return "timestamp"
    try:
        return _HIVE_TYPES[arrow_type]
    except KeyError:
        raise ValueError(f"no Glue column type for Arrow type {arrow_type}") from None


def register_delta_table(glue, database: str, table: str, location: str, schema: pa.Schema) -> None:
    """Create or update the catalog entry of the Delta table at `location`."""
    table_input = {
        "Name": table,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": DELTA_PARAMETERS,
        "StorageDescriptor": {
            "Columns": [{"Name": f.name, "Type": hive_type(f.type)} for f in schema],
            "Location": location,
            "SerdeInfo": {"Parameters": {"path": location}},
        },
    }
    try:
        glue.create_table(DatabaseName=database, TableInput=table_input)
    except glue.exceptions.AlreadyExistsException:
        glue.update_table(DatabaseName=database, TableInput=table_input)


class UnlocatedDeltaTable(Exception):
    """A Delta table's catalog entry that does not say where the table is."""


def delta_location(table: dict) -> str | None:
    """Where the Delta table of a catalog entry lives, or None when the entry is no Delta table.

    Spark's Hive client (the Glue Data Catalog on Glue) keeps a Delta table's real path only in
    the serde parameter `path` and writes `<database location>/<table>-__PLACEHOLDER__` as its
    Location, where Athena would find nothing.
    """
    if table.get("Parameters", {}).get("spark.sql.sources.provider", "").lower() != "delta":
        return None
    storage = table.get("StorageDescriptor", {})
    path = storage.get("SerdeInfo", {}).get("Parameters", {}).get("path") or storage.get("Location")
    if not path or path.endswith(PLACEHOLDER):
        raise UnlocatedDeltaTable(
            f"catalog entry {table.get('DatabaseName')}.{table['Name']} is a Delta table with "
            "no path: neither SerdeInfo.Parameters.path nor StorageDescriptor.Location names it"
        )
    # Athena knows s3:// only; Hadoop's S3A and S3N name the same objects.
    return re.sub(r"^s3[an]://", "s3://", path)


def mark_delta_tables_for_athena(glue, database: str) -> list[str]:
    """Point the Delta tables Spark registered in `database` at their Delta location and add
    `table_type=DELTA`, which Athena needs; return the tables changed.

    Spark writes a fresh entry (placeholder location, no table_type) whenever it recreates a
    table, so this runs after every build; entries already right are left as they are, and so
    are views and tables of other formats.
    """
    changed: list[str] = []
    unlocated: list[str] = []
    for page in glue.get_paginator("get_tables").paginate(DatabaseName=database):
        for table in page["TableList"]:
            try:
                location = delta_location(table)
            except UnlocatedDeltaTable as error:
                unlocated.append(str(error))  # the other tables are still marked
                continue
            storage = table.get("StorageDescriptor", {})
            parameters = table.get("Parameters", {})
            marked = parameters.get("table_type", "").upper() == "DELTA"
            if location is None or (marked and storage.get("Location") == location):
                continue
            table_input = {key: table[key] for key in _TABLE_INPUT_KEYS if key in table}
            table_input["StorageDescriptor"] = {**storage, "Location": location}
            table_input["Parameters"] = {**parameters, "table_type": "DELTA"}
            glue.update_table(DatabaseName=database, TableInput=table_input)
            changed.append(table["Name"])
    if unlocated:
        raise UnlocatedDeltaTable("; ".join(unlocated))
    return changed
