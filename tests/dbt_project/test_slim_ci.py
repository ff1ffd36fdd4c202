"""The pull-request workflow's slim build (.github/workflows/pull-request.yml): against
main's manifest and warehouse, only a changed model and what depends on it are built."""

import json

import pytest

from tests.support import copy_dbt_project, succeed

pytestmark = pytest.mark.e2e


def test_slim_build_runs_only_the_changed_model_and_its_children(tmp_path):
    wh, main_state, branch = tmp_path / "wh", tmp_path / "main-state", tmp_path / "branch"
    succeed("run", "--warehouse", str(wh), warehouse=wh, DBT_TARGET_PATH=str(main_state))

    copy_dbt_project(branch)
    model = branch / "models" / "gold" / "daily_sales.sql"
    model.write_text("{# changed on the branch #}\n" + model.read_text())

    succeed(
        *("dbt", "build", "--project-dir", str(branch)),
        *("--select", "state:modified+", "--defer", "--state", str(main_state)),
        warehouse=wh,
        DBT_TARGET_PATH=str(tmp_path / "target"),
    )
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    ran = {r["unique_id"] for r in results}
    built = {uid for uid in ran if uid.split(".")[0] in ("model", "seed", "snapshot", "unit_test")}
    assert built == {
        "model.lakehouse.daily_sales",
        "unit_test.lakehouse.daily_sales.daily_sales_counts_orders_items_customers_and_revenue",
    }
    assert {r["status"] for r in results} <= {"success", "pass", "no-op"}
    tests = {uid for uid in ran if uid.startswith("test.")}
    assert tests and all("daily_sales" in uid or ".gold_" in uid for uid in tests)
