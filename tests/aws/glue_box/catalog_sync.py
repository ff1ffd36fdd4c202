"""The Glue Data Catalog as Spark on Glue writes it.

On Glue, Spark's Hive client reads and writes the Glue Data Catalog directly. Here Spark
keeps a Hive metastore, and this module keeps moto's Glue catalog in step with it, in the
form the Glue Hive client gives a Hive table: name, type, parameters, and a storage
descriptor with columns, location, formats and serde parameters, unchanged. So a Delta table
Spark creates appears with Spark's placeholder location (`<db>/<table>-__PLACEHOLDER__`),
its real path only in the serde's `path` parameter, and no `table_type`, as on Glue.

Before a statement, what others wrote to the Glue catalog (ingestion registering Bronze,
dbt-glue creating a database) is attached to Spark; after it, what the statement created,
changed or dropped is written back.
"""

import contextlib
import json
import re
import threading
from typing import Any

from py4j.java_gateway import JavaObject
from pyspark.sql import SparkSession

Snapshot = dict[tuple[str, str], str] | None  # (database, table) -> its entry as JSON
# Reading every entry around every statement would cost more than dbt's statements
# themselves; only code with a word that can change the catalog is watched.
CATALOG_WORDS = re.compile(
    r"\b(create|drop|alter|replace|rename|saveAsTable|insertInto|msck|repair)\b", re.IGNORECASE
)


class CatalogSync:
    def __init__(self, spark: SparkSession, glue: Any):
        self.spark = spark
        self.glue = glue
        jvm = spark.sparkContext._jvm
        self._scala = jvm.scala.collection.JavaConverters
        self._hive = spark._jsparkSession.sharedState().externalCatalog().unwrapped().client()
        self._glue_changed = threading.Event()
        self._glue_changed.set()
        self._lock = threading.Lock()

    def glue_written(self) -> None:
        """Someone wrote to the Glue catalog: attach what is new before the next statement."""
        self._glue_changed.set()

    def before_statement(self, code: str) -> Snapshot:
        with self._lock:
            if self._glue_changed.is_set():
                self._glue_changed.clear()
                self._attach_glue_tables()
            return self.snapshot(code) if CATALOG_WORDS.search(code) else None

    def after_statement(self, code: str, before: Snapshot) -> None:
        if before is None:
            return
        with self._lock:
            after = self.snapshot(code)
            for database in {db for db, _ in after} - {db for db, _ in before}:
                self._ensure_glue_database(database)
            for key, entry in after.items():
                if before.get(key) != entry:
                    self._put_glue_table(key[0], json.loads(entry))
            for database, table in before.keys() - after.keys():
                with contextlib.suppress(self.glue.exceptions.EntityNotFoundException):
                    self.glue.delete_table(DatabaseName=database, Name=table)

    # ------------------------------------------------------------------ Spark's side

    def snapshot(self, code: str) -> dict[tuple[str, str], str]:
        """The entries of the tables a statement can touch: those its code names, in the
        databases it names (a statement names what it creates, replaces or drops)."""
        words = set(re.findall(r"\w+", code.lower()))
        entries = {}
        for database in self._seq(self._hive.listDatabases("*")):
            # Spark's own default database is not the project's (Glue keeps its own)
            if database == "default" or database not in words:
                continue
            for table in self._seq(self._hive.listTables(database)):
                if table not in words:
                    continue
                raw = self._hive.getRawHiveTable(database, table).rawTable().getTTable()
                entries[(database, table)] = json.dumps(self._table_input(raw), sort_keys=True)
        return entries

    def _table_input(self, raw: JavaObject) -> dict:
        """A Hive metastore table as the Glue Hive client converts it to a TableInput."""
        sd = raw.getSd()
        table = {
            "Name": raw.getTableName(),
            "TableType": raw.getTableType(),
            "Owner": raw.getOwner() or "",
            "Parameters": dict(raw.getParameters() or {}),
            "PartitionKeys": [self._column(c) for c in raw.getPartitionKeys() or []],
            "StorageDescriptor": {
                "Columns": [self._column(c) for c in sd.getCols() or []],
                "Location": sd.getLocation() or "",
                "InputFormat": sd.getInputFormat() or "",
                "OutputFormat": sd.getOutputFormat() or "",
                "Compressed": bool(sd.isCompressed()),
                "NumberOfBuckets": int(sd.getNumBuckets()),
                "SerdeInfo": {
                    "SerializationLibrary": sd.getSerdeInfo().getSerializationLib() or "",
                    "Parameters": dict(sd.getSerdeInfo().getParameters() or {}),
                },
                "StoredAsSubDirectories": bool(sd.isStoredAsSubDirectories()),
            },
        }
        # the last DDL time changes on every write of the entry, not with its content
        table["Parameters"].pop("transient_lastDdlTime", None)
        if raw.getViewOriginalText():
            table["ViewOriginalText"] = raw.getViewOriginalText()
            table["ViewExpandedText"] = raw.getViewExpandedText()
        return table

    @staticmethod
    def _column(field: JavaObject) -> dict:
        column = {"Name": field.getName(), "Type": field.getType()}
        if field.getComment():
            column["Comment"] = field.getComment()
        return column

    def _seq(self, seq: JavaObject) -> list:
        return list(self._scala.seqAsJavaList(seq))

    # ------------------------------------------------------------------ Glue's side

    def _ensure_glue_database(self, database: str) -> None:
        try:
            self.glue.get_database(Name=database)
        except self.glue.exceptions.EntityNotFoundException:
            raw = self._hive.getDatabase(database)
            self.glue.create_database(
                DatabaseInput={"Name": database, "LocationUri": raw.locationUri().toString()}
            )

    def _put_glue_table(self, database: str, table_input: dict) -> None:
        try:
            self.glue.update_table(DatabaseName=database, TableInput=table_input)
        except self.glue.exceptions.EntityNotFoundException:
            self.glue.create_table(DatabaseName=database, TableInput=table_input)

    def _attach_glue_tables(self) -> None:
        """Databases and Delta tables others registered in Glue become known to Spark."""
        for page in self.glue.get_paginator("get_databases").paginate():
            for database in page["DatabaseList"]:
                name = database["Name"]
                if not self._hive.databaseExists(name):
                    location = database.get("LocationUri")
                    where = f" location '{location}'" if location else ""
                    self.spark.sql(f"create database if not exists `{name}`{where}")
                self._attach_tables(name)

    def _attach_tables(self, database: str) -> None:
        for page in self.glue.get_paginator("get_tables").paginate(DatabaseName=database):
            for table in page["TableList"]:
                if self._hive.tableExists(database, table["Name"]):
                    continue
                path = delta_path(table)
                if path:
                    self.spark.sql(
                        f"create table if not exists `{database}`.`{table['Name']}` "
                        f"using delta location '{path}'"
                    )


def delta_path(table: dict) -> str | None:
    """Where a Glue catalog entry says its Delta table is, for Spark: the `path` serde
    parameter Spark writes, else the location; None when the entry is not a Delta table."""
    parameters = {k.lower(): v for k, v in table.get("Parameters", {}).items()}
    is_delta = (
        parameters.get("table_type", "").upper() == "DELTA"
        or parameters.get("spark.sql.sources.provider", "").lower() == "delta"
    )
    if not is_delta:
        return None
    descriptor = table.get("StorageDescriptor", {})
    serde = descriptor.get("SerdeInfo", {}).get("Parameters", {})
    return serde.get("path") or descriptor.get("Location") or None
