"""Run dbt in this process against the project, on the embedded engine by default.

dbt-sail's embedded mode starts Sail inside this process; consecutive invocations share that
engine, so `lakehouse run` pays its start-up once.
"""

import os
import socket
import textwrap
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from dbt.artifacts.schemas.results import NodeStatus
from dbt.cli.main import dbtRunner

from lakehouse.transform import sail_engine

PROJECT_DIR = Path(__file__).resolve().parents[2]
PROFILES_DIR = PROJECT_DIR / "profiles"
TARGET_DIR = PROJECT_DIR / os.environ.get("DBT_TARGET_PATH", "target")  # dbt's artifacts
FAILED_STATUSES = {NodeStatus.Error, NodeStatus.Fail, NodeStatus.RuntimeErr}


@dataclass(frozen=True)
class DbtOutcome:
    success: bool
    seconds_by_layer: dict[str, float]
    failures: list[str]  # "model.silver_orders: <message>" for each node that failed
    exception: str = ""

    @property
    def hint(self) -> str:
        """What to do about a failure whose message says only what went wrong."""
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


def _target(args: list[str]) -> str:
    for i, arg in enumerate(args):
        if arg in ("--target", "-t") and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--target="):
            return arg.split("=", 1)[1]
    return os.environ.get("DBT_TARGET", "local")


def invoke(args: list[str]) -> DbtOutcome:
    """Run `dbt ARGS` with the project's profiles; return what failed and time per layer."""
    sail_engine.use_memory_pool()  # read by the embedded engine when it starts
    full_args = list(args)
    if "--project-dir" not in full_args:
        full_args += ["--project-dir", str(PROJECT_DIR)]
    if "--profiles-dir" not in full_args and "DBT_PROFILES_DIR" not in os.environ:
        full_args += ["--profiles-dir", str(PROFILES_DIR)]
    result = dbtRunner().invoke(full_args)
    seconds: dict[str, float] = defaultdict(float)
    failures: list[str] = []
    for node_result in getattr(result.result, "results", None) or []:
        node = getattr(node_result, "node", None)  # `run-operation` results have none
        if node is None:
            continue
        seconds[_layer(node)] += node_result.execution_time or 0.0
        if node_result.status in FAILED_STATUSES:
            # dbt's first line is often only the kind ("Runtime Error"); the cause follows
            message = " ".join(line.strip() for line in (node_result.message or "").splitlines())
            failures.append(f"{node.unique_id}: {textwrap.shorten(message, 400)}")
    exception = str(result.exception) if result.exception else ""
    return DbtOutcome(result.success, dict(seconds), failures, exception)


def _layer(node) -> str:
    if node.resource_type == "test":
        return "tests"
    return node.config.get("schema") or node.resource_type
