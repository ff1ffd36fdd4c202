"""Every expectation test of packages/lakehouse_expectations (namespace dbt_expectations)
passes on good data and fails on data that breaks it (a test that cannot fail is not a
test)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lakehouse.transform.dbt_runner import PROFILES_DIR
from tests.support import EXPECTATIONS, INTEGRATION

pytestmark = pytest.mark.e2e


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


def test_each_expectation_passes_on_good_rows_and_fails_on_bad_rows(tmp_path):
    assert dbt("deps", tmp_path=tmp_path).returncode == 0
    build = dbt("build", tmp_path=tmp_path)
    assert build.returncode == 1, build.stdout[-3000:]  # the bad rows must fail the build
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    outcomes: dict[tuple[str, str], str] = {}
    for result in results:
        node = manifest["nodes"][result["unique_id"]]
        if node["resource_type"] == "test":
            model = node["attached_node"].rsplit(".", 1)[1]
            outcomes[(model, node["test_metadata"]["name"])] = result["status"]
    assert outcomes == {
        **{("good_rows", name): "pass" for name in EXPECTATIONS},
        **{("bad_rows", name): "fail" for name in EXPECTATIONS},
    }
