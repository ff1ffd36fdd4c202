"""What tests in several folders use: the sample data, free ports, the CLI in a subprocess,
a table's rows, dbt compiling for the Glue target offline, and the expectation tests'
conformance cases. Fixtures are in conftest.py."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from lakehouse.transform.dbt_runner import PROFILES_DIR, PROJECT_DIR
from lakehouse.warehouse.tables import open_table, query

SAMPLE = PROJECT_DIR / "data" / "sample"
BIN = Path(sys.executable).parent
RUN_TIMES = {"_loaded_at", "_in_silver_since", "_loaded_until"}
TABLES = [
    ("silver", "products"),
    ("silver", "orders"),
    ("silver", "order_items"),
    ("quarantine", "products"),
    ("quarantine", "orders"),
    ("quarantine", "order_items"),
    ("gold", "daily_sales"),
    ("gold", "product_performance"),
    ("gold", "department_analytics"),
    ("gold", "customer_insights"),
]
ORDERS_HEADER = "order_num,order_id,user_id,order_timestamp,total_amount,date"
ITEMS_HEADER = (
    "id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,"
    "order_timestamp,date"
)
EXPECTATIONS_PACKAGE = PROJECT_DIR / "packages" / "lakehouse_expectations"
INTEGRATION = EXPECTATIONS_PACKAGE / "integration_tests"
EXPECTATIONS = {
    "expect_column_values_to_be_between",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_match_regex",
    "expect_column_values_to_not_be_null",
    "expect_compound_columns_to_be_unique",
    "expect_table_row_count_to_be_between",
    "expect_table_row_count_to_equal_other_table",
    "expect_column_pair_values_A_to_be_greater_than_B",
    "expect_row_values_to_have_recent_data",
    "expect_column_distinct_count_to_equal",
}


@dataclass(frozen=True)
class ExpectationCase:
    """A named data test of the conformance suite and the failing rows it must report."""

    name: str
    expectation: str
    arguments: frozenset[str]
    expected_failures: int


def expectation_cases() -> list[ExpectationCase]:
    """The cases in the integration project's models/_models.yml, in file order."""
    path = INTEGRATION / "models" / "_models.yml"
    cases = []
    for model in yaml.safe_load(path.read_text())["models"]:
        entries = [*model.get("data_tests", [])]
        for column in model.get("columns", []):
            entries += column.get("data_tests", [])
        for entry in entries:
            [(test, spec)] = entry.items()
            if "name" not in spec or "expected_failures" not in spec["config"]["meta"]:
                raise ValueError(
                    f"{path}: {test} on {model['name']} needs a name and "
                    "config.meta.expected_failures"
                )
            cases.append(
                ExpectationCase(
                    name=spec["name"],
                    expectation=test.removeprefix("dbt_expectations."),
                    arguments=frozenset(spec.get("arguments", {})),
                    expected_failures=spec["config"]["meta"]["expected_failures"],
                )
            )
    return cases


TEST_SIGNATURE = re.compile(r"{%-?\s*test\s+(\w+)\((.*?)\)\s*-?%}", re.DOTALL)


def expectation_arguments() -> dict[str, set[str]]:
    """Each generic test of the package and the arguments of its `{% test %}` signature,
    without the two dbt fills in (model, column_name)."""
    found = {}
    for path in sorted((EXPECTATIONS_PACKAGE / "macros").glob("*.sql")):
        for name, parameters in TEST_SIGNATURE.findall(path.read_text()):
            names = {p.split("=")[0].strip() for p in parameters.split(",")}
            found[name] = names - {"model", "column_name"}
    return found


DBT_PROJECT_FILES = ["dbt_project.yml", "packages.yml", "package-lock.yml", "selectors.yml"]
DBT_PROJECT_FOLDERS = [
    "models",
    "macros",
    "data_tests",
    "seeds",
    "snapshots",
    "packages",
    "dbt_packages",
]


def copy_dbt_project(destination: Path) -> None:
    """The dbt project's files, without the expectation package's own test project."""
    destination.mkdir(parents=True)
    for name in DBT_PROJECT_FILES:
        shutil.copy(PROJECT_DIR / name, destination / name)
    harness = shutil.ignore_patterns("integration_tests")
    for name in DBT_PROJECT_FOLDERS:
        shutil.copytree(PROJECT_DIR / name, destination / name, symlinks=True, ignore=harness)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_until(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)


def cli(
    *args: str, warehouse: Path | None, tool: str = "lakehouse", extra_env: dict | None = None
) -> subprocess.CompletedProcess:
    """Run TOOL ARGS from the project folder on `warehouse` (None: LAKEHOUSE_WAREHOUSE unset)."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "LAKEHOUSE_WAREHOUSE"},
        **({"LAKEHOUSE_WAREHOUSE": str(warehouse)} if warehouse is not None else {}),
        "DBT_PROFILES_DIR": str(PROFILES_DIR),
        **(extra_env or {}),
    }
    return subprocess.run(
        [str(BIN / tool), *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def succeed(*args: str, warehouse: Path, tool: str = "lakehouse", **env: str) -> str:
    result = cli(*args, warehouse=warehouse, tool=tool, extra_env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def table_rows(
    warehouse: Path, schema: str, table: str, ignored: set[str] = RUN_TIMES
) -> list[tuple]:
    """The rows of a table, sorted, without the IGNORED columns (by default the times of
    loads and merges, which differ between warehouses)."""
    rows = query("select * from t", t=open_table(warehouse, schema, table))
    return sorted(
        tuple(sorted((k, str(v)) for k, v in r.items() if k not in ignored)) for r in rows
    )


def compile_for_glue(
    project: Path, tmp_path: Path, *args: str, **variables: str
) -> subprocess.CompletedProcess:
    """`dbt compile --target glue ARGS` with the environment variables given besides."""
    env = glue_environment(tmp_path) | variables
    dbt = str(Path(sys.executable).parent / "dbt")
    subprocess.run([dbt, "deps"], cwd=project, env=env, capture_output=True, check=True)
    return subprocess.run(
        [dbt, "compile", "--target", "glue", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )


def glue_environment(tmp_path: Path) -> dict[str, str]:
    """What dbt needs to compile for the `glue` target offline: no AWS credentials, no
    endpoint, placeholders for the warehouse and the role."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k != "LAKEHOUSE_DATABASE_PREFIX"
    }
    return env | {
        "DBT_PROFILES_DIR": str(PROFILES_DIR),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "AWS_REGION": "us-east-1",
        "LAKEHOUSE_WAREHOUSE": "s3://example-lake/warehouse",
        "EXPECTATIONS_WAREHOUSE": "s3://example-lake/expectations",
        "LAKEHOUSE_GLUE_ROLE_ARN": "arn:aws:iam::123456789012:role/example-glue",
    }
