"""The `glue` target compiles offline: no AWS account, no credentials, no network."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lakehouse.transform.dbt_runner import PROJECT_DIR
from tests.support import INTEGRATION, compile_for_glue, expectation_cases, glue_environment

pytestmark = pytest.mark.e2e


def test_every_expectation_compiles_for_glue_with_the_spark_variants(tmp_path):
    result = compile_for_glue(INTEGRATION, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    compiled = {
        node["name"]: node["compiled_code"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node.get("compiled_code")
    }
    assert set(compiled) == {case.name for case in expectation_cases()}
    # spark__regex_matches, the regex as written
    assert (
        "length(regexp_extract(code, '^[A-Z]{2}-\\\\d{2}$', 0)) > 0"
        in compiled["regex_doubled_backslash_is_one_backslash"]
    )
    # spark__ago
    assert "current_timestamp() - interval 5 day" in compiled["recent_data"]
    assert "current_timestamp() - interval 3 month" in compiled["recent_data_quarter"]


def test_the_project_compiles_for_glue(tmp_path):
    result = compile_for_glue(PROJECT_DIR, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    silver = (tmp_path / "target" / "compiled" / "lakehouse" / "models" / "silver").glob("*.sql")
    assert sorted(p.name for p in silver) == [
        "silver_order_day_changes.sql",
        "silver_order_items.sql",
        "silver_orders.sql",
        "silver_products.sql",
    ]


def test_the_database_prefix_names_every_schema_and_its_folder(tmp_path):
    """On AWS LAKEHOUSE_DATABASE_PREFIX is `<EnvironmentName>_`: `prod_silver.orders` in
    the catalog, WAREHOUSE/prod_silver/orders on S3, where dbt-glue puts it too."""
    result = compile_for_glue(PROJECT_DIR, tmp_path, LAKEHOUSE_DATABASE_PREFIX="test_")
    assert result.returncode == 0, result.stdout[-3000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    nodes = [n for n in manifest["nodes"].values() if n["package_name"] == "lakehouse"]
    layers = {n["config"]["schema"] for n in nodes if n["config"].get("schema")}
    assert layers >= {"staging", "silver", "quarantine", "gold", "snapshots", "reference"}
    for node in nodes:
        if node["config"].get("schema"):
            expected = "test_" + node["config"]["schema"]
            assert node["schema"] == expected, (node["unique_id"], "macros/naming.sql")
    [silver_orders] = [n for n in nodes if n["name"] == "silver_orders"]
    assert silver_orders["alias"] == "orders"  # the layer prefix still leaves the name
    sql = "\n".join(n.get("compiled_code") or "" for n in nodes)
    assert "test_silver.orders" in sql
    assert "test_bronze.orders" in sql, "the Bronze source's schema (_shop__sources.yml)"
    assert {s["schema"] for s in manifest["sources"].values()} == {"test_bronze"}

    location = "{{ warehouse_location(graph.nodes['model.lakehouse.silver_orders']) }}"
    result = compile_for_glue(
        PROJECT_DIR, tmp_path, "--inline", location, LAKEHOUSE_DATABASE_PREFIX="test_"
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "s3://example-lake/warehouse/test_silver/orders" in result.stdout, result.stdout[-3000:]


def test_a_bad_database_prefix_is_named(tmp_path):
    result = compile_for_glue(PROJECT_DIR, tmp_path, LAKEHOUSE_DATABASE_PREFIX="prod-eu_")
    assert result.returncode != 0
    assert "LAKEHOUSE_DATABASE_PREFIX 'prod-eu_' must be empty or lowercase" in result.stdout


def test_maintenance_renders_optimize_zorder_and_vacuum_for_glue(tmp_path):
    """`dbt run-operation maintain_tables` on Glue, rendered without running (no AWS)."""
    env = glue_environment(tmp_path)
    dbt = str(Path(sys.executable).parent / "dbt")
    args = ["run-operation", "maintain_tables", "--args", "{dry_run: true}", "--target", "glue"]
    result = subprocess.run([dbt, *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    for statement in (
        "optimize silver.order_items zorder by (product_id)",
        "optimize silver.orders zorder by (user_id)",
        "optimize gold.customer_insights\n",  # rebuilt every run: compacted, not sorted
        "optimize gold.department_analytics",  # materialized changed_days
        "optimize bronze.order_items",
        "vacuum silver.order_items retain 168 hours",
    ):
        assert statement in result.stdout
