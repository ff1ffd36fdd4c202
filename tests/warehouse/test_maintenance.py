import json

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

from lakehouse.warehouse.maintenance import TablePlan, maintain_locally, plan, retain_hours
from lakehouse.warehouse.tables import query

MANIFEST = {
    "nodes": {
        "model.lakehouse.silver_order_items": {
            "resource_type": "model",
            "schema": "silver",
            "alias": "order_items",
            "config": {"materialized": "incremental", "meta": {"zorder_by": ["product_id"]}},
        },
        "model.lakehouse.daily_sales": {
            "resource_type": "model",
            "schema": "gold",
            "alias": "daily_sales",
            "config": {"materialized": "changed_days", "meta": {}},
        },
        "model.lakehouse.int_orders_with_item_count": {
            "resource_type": "model",
            "schema": "gold",
            "alias": "int_orders_with_item_count",
            "config": {"materialized": "ephemeral", "meta": {}},
        },
        "model.lakehouse.stg_shop__orders": {
            "resource_type": "model",
            "schema": "staging",
            "alias": "orders",
            "config": {"materialized": "view", "meta": {}},
        },
        "test.lakehouse.unique_x": {"resource_type": "test", "config": {}},
    },
    "sources": {
        "source.lakehouse.bronze.orders": {"schema": "bronze", "identifier": "orders"},
    },
}


def test_plan_holds_tables_and_sources_with_their_zorder_columns():
    assert plan(MANIFEST) == [
        TablePlan("bronze", "orders"),
        TablePlan("gold", "daily_sales"),
        TablePlan("silver", "order_items", ("product_id",)),
    ]


def test_retention_keeps_a_week_of_time_travel():
    assert retain_hours() == 168


def test_compacts_zorders_and_leaves_an_unchanged_table_alone(tmp_path):
    warehouse = tmp_path / "wh"
    items = str(warehouse / "silver" / "order_items")
    orders = str(warehouse / "bronze" / "orders")
    for batch in range(8):
        rows = {"order_date": ["2025-04-01", "2025-04-02"], "product_id": [batch, batch + 10]}
        write_deltalake(items, pa.table(rows), mode="append", partition_by=["order_date"])
        write_deltalake(orders, pa.table({"order_id": [str(batch)]}), mode="append")
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(MANIFEST))

    outcomes = {(o.schema, o.table): o for o in maintain_locally(warehouse, manifest)}
    files = {t: (o.files_before, o.files_after) for t, o in outcomes.items()}
    assert files == {("silver", "order_items"): (16, 2), ("bronze", "orders"): (8, 1)}
    history = DeltaTable(items).history(1)[0]
    assert history["operation"] == "OPTIMIZE"
    assert history["operationMetrics"]["plannerStrategy"] == "zOrder"

    versions = {t: DeltaTable(t).version() for t in (items, orders)}
    maintain_locally(warehouse, manifest)
    assert {t: DeltaTable(t).version() for t in versions} == versions
    # a week's retention: the version before maintenance is still readable
    before = DeltaTable(items, version=7)
    assert query("select count(*) as n from t", t=before) == [{"n": 16}]
