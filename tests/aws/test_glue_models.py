"""What `dbt compile --target glue` tells offline about each Silver model's Delta merge.

dbt-glue writes the MERGE statement itself when the model runs (its `get_merge_sql`, with the
columns of the existing table), so offline there is no MERGE text to read. What is checked:
the configuration the merge is built from, as dbt resolved it for the glue target, and the
compiled SELECT that becomes the merge's source.
"""

import json

import pytest

from lakehouse.transform.dbt_runner import PROJECT_DIR
from tests.support import compile_for_glue

pytestmark = [pytest.mark.aws, pytest.mark.e2e]

SILVER = {
    "silver_products": ("product_id", None),
    "silver_orders": ("order_id", ["order_date"]),
    "silver_order_items": ("id", ["order_date"]),
}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    target = tmp_path_factory.mktemp("glue")
    result = compile_for_glue(PROJECT_DIR, target)
    assert result.returncode == 0, result.stdout[-3000:]
    return json.loads((target / "target" / "manifest.json").read_text())


@pytest.mark.parametrize("model", sorted(SILVER))
def test_silver_merges_delta_on_its_key_and_partitions_by_date(manifest, model):
    [node] = [n for n in manifest["nodes"].values() if n["name"] == model]
    key, partitions = SILVER[model]
    config = node["config"]
    assert (config["materialized"], config["incremental_strategy"]) == ("incremental", "merge")
    assert config["file_format"] == "delta"
    assert config["unique_key"] == key
    assert config.get("partition_by") == partitions
    assert config["on_schema_change"] == "fail"
    assert (node["schema"], node["alias"]) == ("silver", model.removeprefix("silver_"))
    sql = node["compiled_code"]
    # the merge source holds one row per key: the latest delivery
    assert f"partition by {key}" in sql and "where delivery_rank = 1" in sql
    assert f"from staging.stg_shop__{model.removeprefix('silver_')}" in sql  # the same staging


def test_the_registry_hooks_send_nothing_to_glue(manifest):
    hooks = [n for n in manifest["nodes"].values() if n["resource_type"] == "operation"]
    assert len(hooks) == 2
    assert all(h["compiled_code"].strip() == "" for h in hooks)
