"""selectors.yml against the tests themselves."""

import json
from pathlib import Path

import pytest

from tests.support import succeed

pytestmark = pytest.mark.e2e


def compiled_tests(tmp_path: Path, **env: str) -> dict[str, str]:
    target = tmp_path / ("since" if env else "whole")
    succeed(
        *("dbt", "compile", "--select", "resource_type:test"),
        warehouse=tmp_path / "wh",
        DBT_TARGET_PATH=str(target),
        **env,
    )
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    return {uid: n["compiled_code"] for uid, n in nodes.items() if n["resource_type"] == "test"}


def test_whole_table_checks_selects_every_test_a_scheduled_run_narrows(tmp_path):
    """A test whose SQL changes with LAKEHOUSE_TESTS_SINCE skips rows in a scheduled run;
    `dbt test --selector whole_table_checks` is how those rows get checked at all."""
    whole = compiled_tests(tmp_path)
    since = compiled_tests(tmp_path, LAKEHOUSE_TESTS_SINCE="2025-04-01T00:00:00+00:00")
    narrowed = {uid for uid in whole if whole[uid] != since[uid]}
    listed = succeed(
        *("dbt", "ls", "--selector", "whole_table_checks", "--resource-type", "test"),
        *("--output", "json", "--output-keys", "unique_id", "--quiet"),
        warehouse=tmp_path / "wh",
        DBT_TARGET_PATH=str(tmp_path / "ls"),
    )
    selected = {json.loads(line)["unique_id"] for line in listed.splitlines() if "{" in line}
    assert "test.lakehouse.bronze_rows_accounted_for" in narrowed
    assert narrowed - selected == set()
