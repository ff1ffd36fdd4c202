"""The expectation tests of packages/lakehouse_expectations (namespace dbt_expectations)
against their conformance suite: each named case in the integration project reports as
many failing rows as the dbt-expectations package gives on the same rows, and every
argument of every test has a case."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lakehouse.transform.dbt_runner import PROFILES_DIR
from tests.support import (
    EXPECTATIONS,
    INTEGRATION,
    ExpectationCase,
    expectation_arguments,
    expectation_cases,
)

CASES = expectation_cases()


def dbt(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "EXPECTATIONS_WAREHOUSE": str(tmp_path / "wh"),
        "DBT_PROFILES_DIR": str(PROFILES_DIR),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    command = [str(Path(sys.executable).parent / "dbt"), *args]
    return subprocess.run(command, cwd=INTEGRATION, env=env, capture_output=True, text=True)


@pytest.fixture(scope="module")
def failures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    """One `dbt build` of the integration project: the failing rows of each case, by name."""
    tmp_path = tmp_path_factory.mktemp("expectations")
    assert dbt("deps", tmp_path=tmp_path).returncode == 0
    build = dbt("build", tmp_path=tmp_path)
    assert build.returncode == 0, build.stdout[-3000:]  # cases with failing rows only warn
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    return {
        manifest["nodes"][r["unique_id"]]["name"]: r["failures"]
        for r in results
        if r["unique_id"].startswith("test.")
    }


@pytest.mark.e2e
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case_reports_the_failing_rows_of_dbt_expectations(
    case: ExpectationCase, failures: dict[str, int]
) -> None:
    assert failures[case.name] == case.expected_failures


@pytest.mark.e2e
def test_the_build_runs_every_case_and_nothing_else(failures: dict[str, int]) -> None:
    assert sorted(failures) == sorted(case.name for case in CASES)


def test_every_argument_of_every_expectation_has_a_case() -> None:
    arguments = expectation_arguments()
    assert set(arguments) == EXPECTATIONS
    assert len({case.name for case in CASES}) == len(CASES), "case names must be unique"
    uncovered = {
        name: sorted(expected - {a for c in CASES if c.expectation == name for a in c.arguments})
        for name, expected in arguments.items()
    }
    assert {name: missing for name, missing in uncovered.items() if missing} == {}
