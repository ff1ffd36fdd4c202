"""Athena: StartQueryExecution, GetQueryExecution, GetQueryResults.

Athena reads a Delta table through its Glue catalog entry: the entry must say
`table_type=DELTA`, and its `StorageDescriptor.Location` must hold the Delta log. So does
this stand-in: each `<database>.<table>` a query names is looked up in moto's Glue catalog
and read from that location with Spark, in a session of its own; an entry Athena could not
read makes the query FAIL with the reason. The SQL runs on Spark SQL, with the Trino
functions the project's queries use (`from_iso8601_timestamp`) defined; other Trino-only
syntax would fail here where Athena would not, which a test would notice.
"""

import itertools
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from pyspark.sql import SparkSession
from pyspark.sql.types import TimestampType

from .sessions import GlueError


class AthenaQueryError(Exception):
    pass


class Athena:
    def __init__(self, spark: SparkSession, glue):
        self.spark = spark.newSession()
        self.spark.udf.register(
            "from_iso8601_timestamp",
            lambda text: datetime.fromisoformat(text.replace("Z", "+00:00")),
            TimestampType(),
        )
        self.glue = glue
        self.queries: dict[str, dict] = {}
        self.ids = itertools.count(1)
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="athena")
        self.lock = threading.Lock()

    def handle(self, operation: str, request: dict) -> dict:
        return getattr(self, operation)(request)

    def StartQueryExecution(self, request: dict) -> dict:  # noqa: N802
        query_id = f"box-query-{next(self.ids):04d}"
        self.queries[query_id] = {
            "QueryExecutionId": query_id,
            "Query": request["QueryString"],
            "WorkGroup": request.get("WorkGroup", "primary"),
            "Status": {"State": "RUNNING", "SubmissionDateTime": time.time()},
            "rows": [],
        }
        self.worker.submit(self._run, query_id)
        return {"QueryExecutionId": query_id}

    def GetQueryExecution(self, request: dict) -> dict:  # noqa: N802
        query = self._query(request["QueryExecutionId"])
        return {"QueryExecution": {k: v for k, v in query.items() if k != "rows"}}

    def GetQueryResults(self, request: dict) -> dict:  # noqa: N802
        query = self._query(request["QueryExecutionId"])
        if query["Status"]["State"] != "SUCCEEDED":
            raise GlueError(
                "InvalidRequestException",
                f"Query has not yet finished. Current state: {query['Status']['State']}",
            )
        columns, rows = query["rows"]
        header = {"Data": [{"VarCharValue": c} for c in columns]}
        data = [
            {"Data": [{"VarCharValue": v} if v is not None else {} for v in row]} for row in rows
        ]
        return {
            "ResultSet": {
                "Rows": [header, *data],
                "ResultSetMetadata": {
                    "ColumnInfo": [{"Name": c, "Label": c, "Type": "varchar"} for c in columns]
                },
            },
            "UpdateCount": 0,
        }

    def ListQueryExecutions(self, request: dict) -> dict:  # noqa: N802
        return {"QueryExecutionIds": list(self.queries)}

    def _query(self, query_id: str) -> dict:
        try:
            return self.queries[query_id]
        except KeyError:
            raise GlueError(
                "InvalidRequestException", f"QueryExecution {query_id} was not found"
            ) from None

    def _run(self, query_id: str) -> None:
        query = self.queries[query_id]
        try:
            sql = self._with_tables_read_as_athena_does(query["Query"])
            frame = self.spark.sql(sql)
            rows = [[None if v is None else str(v) for v in row] for row in frame.collect()]
            query["rows"] = (frame.columns, rows)
            query["Status"]["State"] = "SUCCEEDED"
        except Exception as e:  # Athena reports a failed query in its status
            query["Status"]["State"] = "FAILED"
            query["Status"]["StateChangeReason"] = str(e).splitlines()[0][:500]
        query["Status"]["CompletionDateTime"] = time.time()

    def _with_tables_read_as_athena_does(self, sql: str) -> str:
        databases = {
            d["Name"]
            for page in self.glue.get_paginator("get_databases").paginate()
            for d in page["DatabaseList"]
        }
        names = sorted(set(re.findall(r"\b(\w+)\.(\w+)\b", sql)))
        for database, table in names:
            if database not in databases:
                continue
            view = f"athena__{database}__{table}"
            location = self._delta_location(database, table)
            self.spark.read.format("delta").load(location).createOrReplaceTempView(view)
            sql = re.sub(rf"\b{database}\.{table}\b", view, sql)
        return sql

    def _delta_location(self, database: str, table: str) -> str:
        try:
            entry = self.glue.get_table(DatabaseName=database, Name=table)["Table"]
        except self.glue.exceptions.EntityNotFoundException:
            raise AthenaQueryError(
                f"TABLE_NOT_FOUND: Table '{database}.{table}' does not exist"
            ) from None
        table_type = entry.get("Parameters", {}).get("table_type", "")
        if table_type.upper() != "DELTA":
            raise AthenaQueryError(
                f"{database}.{table}: table_type is '{table_type}', not DELTA: Athena would not "
                "read it as Delta Lake"
            )
        location = entry.get("StorageDescriptor", {}).get("Location", "")
        try:
            self.spark.read.format("delta").load(location).schema  # noqa: B018
        except Exception:
            raise AthenaQueryError(
                f"{database}.{table}: no Delta table at its location '{location}'"
            ) from None
        return location
