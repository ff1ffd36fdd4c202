"""Run dbt in this process against the project.

`lakehouse` commands run dbt inside `own_engine()`: one Sail server started in this process,
reached by the `engine` target (remote mode; one thread, two in a run after a passing build,
or LAKEHOUSE_DBT_THREADS), shared by consecutive invocations and stopped at the end. Plain
`dbt` and `--target local` use dbt-sail's embedded mode, on one thread (profiles/profiles.yml
says why).
"""

import os
import socket
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dbt.artifacts.schemas.results import NodeStatus
from dbt.cli.exceptions import DbtUsageException
from dbt.cli.main import dbtRunner
from dbt.contracts.graph.manifest import Manifest

from lakehouse.transform import sail_engine

PROJECT_DIR = Path(__file__).resolve().parents[2]
PROFILES_DIR = PROJECT_DIR / "profiles"
TARGET_DIR = PROJECT_DIR / os.environ.get("DBT_TARGET_PATH", "target")  # dbt's artifacts
FAILED_STATUSES = {NodeStatus.Error, NodeStatus.Fail, NodeStatus.RuntimeErr}
# What a scheduled build selects, locally and on Glue (selectors.yml): every node but the
# unit tests, which test the models' logic on fixed inputs and run in CI instead.
SCHEDULED = ("--selector", "production")


@dataclass(frozen=True)
class DbtOutcome:
    success: bool
    seconds_by_layer: dict[str, float]  # wall time each layer had a node running
    failures: list[str]  # "model.silver_orders: <message>" for each node that failed
    exception: str = ""
    usage_error: bool = False  # dbt could not read its command line, and printed nothing

    @property
    def hint(self) -> str:
        """What to do about a failure whose message says only what went wrong."""
        if self.usage_error:
            return f"dbt: {self.exception} `dbt COMMAND --help` lists a command's options."
        error = " ".join([self.exception, *self.failures])
        if "for the total memory pool" in error:
            name = sail_engine.MEMORY_POOL_SIZE
            return (
                f"A query needed more than the local engine's memory pool ({name}="
                f"{os.environ.get(name)} bytes); set {name} higher and run again."
            )
        if "Could not find profile named" in error:
            return (
                f"DBT_PROFILES_DIR ({os.environ.get('DBT_PROFILES_DIR')}) has no 'lakehouse' "
                f"profile: unset it, or point it at {PROFILES_DIR}."
            )
        if "does not have a target named" in error:
            return "Targets: local (default, embedded engine), engine (`lakehouse engine`), glue."
        return ""


def use_warehouse(warehouse: Path) -> None:
    """Point the dbt project (`dbt_project.yml` vars) at `warehouse`."""
    os.environ["LAKEHOUSE_WAREHOUSE"] = str(warehouse.resolve())


def install_packages() -> DbtOutcome:
    """`dbt deps` when packages.yml's (local, offline) packages are not installed yet."""
    if (PROJECT_DIR / "dbt_packages" / "dbt_expectations").exists():
        return DbtOutcome(True, {}, [])
    return invoke(["deps"])


@contextmanager
def own_engine(args: Sequence[str] = ()) -> Iterator[None]:
    """Run the dbt invocations of the block on one Sail engine started here, through the
    `engine` target; unless ARGS or DBT_TARGET choose a target, which is then used as is."""
    if _chosen_target(args) is not None:
        yield
        return
    with sail_engine.running() as port:
        address = {"LAKEHOUSE_ENGINE_HOST": "127.0.0.1", "LAKEHOUSE_ENGINE_PORT": str(port)}
        with _environment(**address, DBT_TARGET="engine"):
            _close_spark_session()  # one left by an earlier engine would be used instead
            try:
                yield
            finally:
                _close_spark_session()


# A run after a passing build is mostly nodes that read a day's rows and spend more of
# their time in dbt than in the engine, so a second thread overlaps one node's dbt work
# with another's query: a day at 30.5M line items, `dbt build` 19.4 s against 23.3 s on
# one thread. A build that reads whole tables keeps one: its queries already keep both
# cores busy (the same 78 s at 9.8M on two threads), and queries at once share the memory
# pool (four threads exhausted it at 9.8M line items).
THREADS_AFTER_A_PASSING_BUILD = "2"


@contextmanager
def scheduled_build(tests_since: datetime | None) -> Iterator[None]:
    """Within the block, dbt builds as a scheduled run: the data tests that can check only
    what a run changed (the `tests_since()` macro) check what changed since TESTS_SINCE,
    on two threads; None (no passing build yet): whole tables, one thread.
    LAKEHOUSE_DBT_THREADS, when set, chooses the threads."""
    threads = os.environ.get("LAKEHOUSE_DBT_THREADS") or (
        THREADS_AFTER_A_PASSING_BUILD if tests_since else None
    )
    with _environment(
        LAKEHOUSE_TESTS_SINCE=tests_since.isoformat() if tests_since else None,
        LAKEHOUSE_DBT_THREADS=threads,
    ):
        yield


@contextmanager
def _environment(**values: str | None) -> Iterator[None]:
    """Environment variables set (None: unset) for the block, then put back."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            _set_variable(name, value)
        yield
    finally:
        for name, value in saved.items():
            _set_variable(name, value)


def _set_variable(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def _close_spark_session() -> None:
    """dbt-spark's session method queries PySpark's active (or default) Spark Connect
    session, which would outlive its engine and keep its address."""
    from pyspark.errors import PySparkRuntimeError
    from pyspark.sql.connect.session import SparkSession

    while True:
        try:
            session = SparkSession.active()
        except PySparkRuntimeError:  # none (left)
            return
        session.stop()


class EngineNotRunning(Exception):
    """`--target engine` was asked for and no engine listens at its address."""


def check_engine(args: list[str]) -> None:
    """Fail at once when the `engine` target has nothing to connect to: the Spark Connect
    client would otherwise retry for minutes before giving up."""
    if _target(args) != "engine":
        return
    host = os.environ.get("LAKEHOUSE_ENGINE_HOST", "127.0.0.1")
    port = int(os.environ.get("LAKEHOUSE_ENGINE_PORT", "50051"))
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        raise EngineNotRunning(
            f"no Sail engine listens on {host}:{port} (target 'engine', set by "
            "LAKEHOUSE_ENGINE_HOST and LAKEHOUSE_ENGINE_PORT). Start one in another terminal "
            "with `lakehouse engine`, or leave out --target to use the embedded engine."
        ) from None


def _target(args: Sequence[str]) -> str:
    return _chosen_target(args) or "local"  # the profile's default


def _chosen_target(args: Sequence[str]) -> str | None:
    for i, arg in enumerate(args):
        if arg in ("--target", "-t") and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--target="):
            return arg.split("=", 1)[1]
    return os.environ.get("DBT_TARGET")


def parse() -> Manifest | None:
    """The project parsed, for invocations that follow to start from (`invoke`'s
    MANIFEST): each would otherwise read the partial parse state and write manifest.json
    again, 0.35 s apiece. None when it does not parse: the next invocation says why."""
    parsed = dbtRunner().invoke(_with_project(["parse"]))
    return parsed.result if isinstance(parsed.result, Manifest) else None


def invoke(args: list[str], manifest: Manifest | None = None) -> DbtOutcome:
    """Run `dbt ARGS` with the project's profiles, from MANIFEST when given (`parse`);
    return what failed and time per layer."""
    sail_engine.use_memory_pool()  # read by the embedded engine when it starts
    result = dbtRunner(manifest=manifest).invoke(_with_project(args))
    windows: dict[str, list[tuple[float, float]]] = defaultdict(list)
    failures: list[str] = []
    for node_result in getattr(result.result, "results", None) or []:
        node = getattr(node_result, "node", None)  # `run-operation` results have none
        if node is None:
            continue
        timing = [t for t in node_result.timing if t.started_at and t.completed_at]
        if timing:
            start, end = timing[0].started_at, timing[-1].completed_at
            windows[_layer(node)].append((start.timestamp(), end.timestamp()))
        if node_result.status in FAILED_STATUSES:
            # dbt's first line is often only the kind ("Runtime Error"); the cause follows
            message = " ".join(line.strip() for line in (node_result.message or "").splitlines())
            failures.append(f"{node.unique_id}: {textwrap.shorten(message, 400)}")
    exception = str(result.exception) if result.exception else ""
    seconds = {layer: busy_seconds(w) for layer, w in windows.items()}
    usage_error = isinstance(result.exception, DbtUsageException)
    return DbtOutcome(result.success, seconds, failures, exception, usage_error)


def _with_project(args: list[str]) -> list[str]:
    full_args = list(args)
    if "--project-dir" not in full_args:
        full_args += ["--project-dir", str(PROJECT_DIR)]
    if "--profiles-dir" not in full_args and "DBT_PROFILES_DIR" not in os.environ:
        full_args += ["--profiles-dir", str(PROFILES_DIR)]
    return full_args


def busy_seconds(windows: Iterable[tuple[float, float]]) -> float:
    """The wall time covered by WINDOWS (start, end): on several threads, nodes of one
    layer run at once and their times overlap."""
    total, reached = 0.0, float("-inf")
    for start, end in sorted(windows):
        if end > reached:
            total += end - max(start, reached)
            reached = end
    return total


def _layer(node) -> str:
    if node.resource_type == "test":
        return "tests"
    return node.config.get("schema") or node.resource_type
