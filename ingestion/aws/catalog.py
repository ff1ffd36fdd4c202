"""Glue Data Catalog entries for Delta tables, so that Spark on Glue and Athena find them.

Athena reads a Delta table natively when its catalog entry carries `table_type=DELTA` and its
location; it takes the schema from the Delta log. Spark (Glue 5, Delta 3) recognises
`spark.sql.sources.provider=delta` and the `path` serde parameter.
"""

import pyarrow as pa

DELTA_PARAMETERS = {
    "table_type": "DELTA",
    "spark.sql.sources.provider": "delta",
    "EXTERNAL": "TRUE",
}
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


def mark_delta_tables_for_athena(glue, database: str) -> list[str]:
    """Add `table_type=DELTA` to the Delta tables Spark created in `database` (Spark's Delta
    catalog writes only its own provider parameter); return the tables changed."""
    changed = []
    for page in glue.get_paginator("get_tables").paginate(DatabaseName=database):
        for table in page["TableList"]:
            parameters = table.get("Parameters", {})
            is_delta = parameters.get("spark.sql.sources.provider", "").lower() == "delta"
            if not is_delta or parameters.get("table_type", "").upper() == "DELTA":
                continue
            table_input = {
                key: table[key]
                for key in ("Name", "TableType", "StorageDescriptor", "PartitionKeys")
                if key in table
            }
            table_input["Parameters"] = {**parameters, "table_type": "DELTA"}
            glue.update_table(DatabaseName=database, TableInput=table_input)
            changed.append(table["Name"])
    return changed
