"""Glue interactive sessions: CreateSession, GetSession, RunStatement, GetStatement, ...

A session is a Python namespace with `spark` (a SparkSession of its own over the shared
Spark context and catalog, as separate Glue sessions share a Data Catalog) and `sc`.
Statements of all sessions run on a pool as wide as dbt's threads, as Glue sessions run
side by side; the catalog is brought in step around each statement (catalog_sync.py). A
statement's printed output is its result, as dbt-glue reads it; an exception makes it end
with Status `error`, as on Glue. GetStatement answers when the statement ends (or after
LONG_POLL_SECONDS): dbt-glue polls once a second at the least, which would add a second to
each of its hundreds of statements.
"""

import io
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import SparkSession

from .catalog_sync import CatalogSync
from .spark import DELTA

LONG_POLL_SECONDS = 20
STATEMENT_WORKERS = 4  # the glue target's dbt threads


class GlueError(Exception):
    """Answered as an AWS error: `code` is the exception name boto3 raises."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.status = code, status


@dataclass
class Statement:
    id: int
    code: str
    state: str = "WAITING"
    output: dict = field(default_factory=dict)
    started: float = 0.0
    completed: float = 0.0
    done: threading.Event = field(default_factory=threading.Event)

    def describe(self) -> dict:
        answer: dict[str, Any] = {"Id": self.id, "Code": self.code, "State": self.state}
        answer["Progress"] = 1.0 if self.state == "AVAILABLE" else 0.0
        if self.started:
            answer["StartedOn"] = self.started
        if self.completed:
            answer["CompletedOn"] = self.completed
            answer["Output"] = self.output
        return answer


@dataclass
class Session:
    id: str
    request: dict
    namespace: dict
    status: str = "READY"
    created: float = field(default_factory=time.time)
    statements: list[Statement] = field(default_factory=list)

    def describe(self) -> dict:
        return {
            "Id": self.id,
            "CreatedOn": self.created,
            "Status": self.status,
            "Role": self.request.get("Role", ""),
            "Command": self.request.get("Command", {}),
            "DefaultArguments": self.request.get("DefaultArguments", {}),
            "GlueVersion": self.request.get("GlueVersion", "5.0"),
            "NumberOfWorkers": self.request.get("NumberOfWorkers", 2),
            "WorkerType": self.request.get("WorkerType", "G.1X"),
            "IdleTimeout": self.request.get("IdleTimeout", 10),
        }


class _ThreadOutput(io.TextIOBase):
    """sys.stdout that a statement's thread captures while the server's threads print on."""

    def __init__(self, fallback):
        self.fallback = fallback
        self.local = threading.local()

    def write(self, text: str) -> int:
        buffer = getattr(self.local, "buffer", None)
        return (buffer or self.fallback).write(text)

    def flush(self) -> None:
        self.fallback.flush()


class Sessions:
    def __init__(self, spark: SparkSession, catalog: CatalogSync):
        self.spark = spark
        self.catalog = catalog
        self.sessions: dict[str, Session] = {}
        self.worker = ThreadPoolExecutor(
            max_workers=STATEMENT_WORKERS, thread_name_prefix="statement"
        )
        self.output = _ThreadOutput(sys.stdout)
        sys.stdout = self.output

    def handle(self, operation: str, request: dict) -> dict:
        handler = getattr(self, operation, None)
        if handler is None:
            raise GlueError("InvalidInputException", f"the Glue box does not serve {operation}")
        return handler(request)

    # ------------------------------------------------------------------ sessions

    def CreateSession(self, request: dict) -> dict:  # noqa: N802
        session_id = request["Id"]
        if session_id in self.sessions:
            raise GlueError("AlreadyExistsException", f"Session {session_id} already exists")
        settings = session_settings(request.get("DefaultArguments", {}))
        spark = self.spark.newSession()
        for key, value in settings.items():
            spark.conf.set(key, value)
        session = Session(session_id, request, {"spark": spark, "sc": spark.sparkContext})
        self.sessions[session_id] = session
        return {"Session": session.describe()}

    def GetSession(self, request: dict) -> dict:  # noqa: N802
        return {"Session": self._session(request["Id"]).describe()}

    def ListSessions(self, request: dict) -> dict:  # noqa: N802
        return {
            "Ids": list(self.sessions),
            "Sessions": [s.describe() for s in self.sessions.values()],
        }

    def StopSession(self, request: dict) -> dict:  # noqa: N802
        self._session(request["Id"]).status = "STOPPED"
        return {"Id": request["Id"]}

    def DeleteSession(self, request: dict) -> dict:  # noqa: N802
        self._session(request["Id"])
        del self.sessions[request["Id"]]
        return {"Id": request["Id"]}

    def _session(self, session_id: str) -> Session:
        try:
            return self.sessions[session_id]
        except KeyError:
            raise GlueError("EntityNotFoundException", f"Session {session_id} not found") from None

    # ------------------------------------------------------------------ statements

    def RunStatement(self, request: dict) -> dict:  # noqa: N802
        session = self._session(request["SessionId"])
        if session.status != "READY":
            raise GlueError(
                "IllegalSessionStateException", f"Session {session.id} is {session.status}"
            )
        statement = Statement(len(session.statements), request["Code"])
        session.statements.append(statement)
        self.worker.submit(self._run, session, statement)
        return {"Id": statement.id}

    def GetStatement(self, request: dict) -> dict:  # noqa: N802
        session = self._session(request["SessionId"])
        try:
            statement = session.statements[int(request["Id"])]
        except (IndexError, ValueError):
            raise GlueError(
                "EntityNotFoundException", f"Statement {request['Id']} not found"
            ) from None
        statement.done.wait(LONG_POLL_SECONDS)
        return {"Statement": statement.describe()}

    def ListStatements(self, request: dict) -> dict:  # noqa: N802
        session = self._session(request["SessionId"])
        return {"Statements": [s.describe() for s in session.statements]}

    def CancelStatement(self, request: dict) -> dict:  # noqa: N802
        statement = self._session(request["SessionId"]).statements[int(request["Id"])]
        if statement.state == "WAITING":
            statement.state = "CANCELLED"
            statement.done.set()
        return {}

    def _run(self, session: Session, statement: Statement) -> None:
        if statement.state == "CANCELLED":
            return
        statement.state, statement.started = "RUNNING", time.time()
        buffer = io.StringIO()
        self.output.local.buffer = buffer
        try:
            before = self.catalog.before_statement(statement.code)
            try:
                exec(
                    compile(statement.code, f"<statement {statement.id}>", "exec"),
                    session.namespace,
                )
            finally:
                self.catalog.after_statement(statement.code, before)
            statement.output = {"Status": "ok"}
        except Exception as e:  # the statement's own error is its result, as on Glue
            statement.output = {
                "Status": "error",
                "ErrorName": type(e).__name__,
                "ErrorValue": str(e),
                "Traceback": traceback.format_exception(e),
            }
        finally:
            self.output.local.buffer = None
        statement.output["ExecutionCount"] = statement.id
        statement.output["Data"] = {"TextPlain": buffer.getvalue()}
        statement.state, statement.completed = "AVAILABLE", time.time()
        statement.done.set()


def session_settings(arguments: dict) -> dict[str, str]:
    """The `--conf` settings the session applies, as Glue does. The box runs one Spark with
    Delta: a session that asks for another engine is refused rather than given something it
    did not ask for."""
    formats = arguments.get("--datalake-formats", "delta")
    if formats != "delta":
        raise GlueError(
            "InvalidInputException", f"--datalake-formats '{formats}': the box runs delta only"
        )
    settings = {}
    for setting in arguments.get("--conf", "").split("--conf"):
        key, _, value = (part.strip() for part in setting.partition("="))
        if key in DELTA and DELTA[key] != value:
            raise GlueError(
                "InvalidInputException", f"--conf {key}={value}: the box runs {DELTA[key]}"
            )
        if key and key not in DELTA:  # the Delta ones are the shared Spark's, set at start
            settings[key] = value
    return settings
