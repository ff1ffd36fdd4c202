"""End to end on the sample: every `lakehouse`/`dbt` call is a new process with a new
engine, so these tests also prove that tables survive an engine restart."""

import json
import shutil
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lakehouse.warehouse.maintenance import MAINTENANCE_OPERATIONS
from lakehouse.warehouse.tables import open_table, query
from tests.support import (
    BIN,
    ITEMS_HEADER,
    ORDERS_HEADER,
    SAMPLE,
    TABLES,
    cli,
    free_port,
    listening,
    succeed,
    table_rows,
    wait_until,
)

# materialized changed_days: a run writes only the days its loads changed
DAY_MARTS = [("gold", "daily_sales"), ("gold", "department_analytics")]

# Faulty rows of each kind the models quarantine, and a correction of a delivered order.
BAD_ORDERS = "\n".join(
    [
        ORDERS_HEADER,
        "1,900001,5,2025-04-02T10:00:00,abc,2025-04-02",
        "2,900002,5,2025-04-02T10:00:00,-3.50,2025-04-02",
        "3,900003,5,2025-04-02T10:00:00,,2025-04-02",
        "4,900004,5,yesterday,10.00,2025-04-02",
        "5,900005,,2025-04-02T10:00:00,10.00,2025-04-02",
        "",
    ]
)
CORRECTION = f"{ORDERS_HEADER}\n90,10000,1990,2025-04-01T11:27:00,999.99,2025-04-01\n"
BAD_ITEMS = "\n".join(
    [
        ITEMS_HEADER,
        "900001,10000,1990,10,999999,9,0,2025-04-01T11:27:00,2025-04-01",
        "900002,10000,1990,10,1,10,yes,2025-04-01T11:27:00,2025-04-01",
        ",10000,1990,10,1,11,0,2025-04-01T11:27:00,2025-04-01",
        "",
    ]
)
# An order delivered with a bad amount, its line item, and a valid delivery of it later.
QUARANTINED_ORDER = f"{ORDERS_HEADER}\n6,900010,5,2025-04-06T10:00:00,abc,2025-04-06\n"
ITEM_OF_QUARANTINED_ORDER = (
    f"{ITEMS_HEADER}\n900010,900010,5,,1,1,0,2025-04-06T10:00:00,2025-04-06\n"
)
VALID_DELIVERY_OF_IT = QUARANTINED_ORDER.replace("abc", "10.00")

pytestmark = pytest.mark.e2e
BATCH_1_DAYS = [f"2025-04-{d:02d}" for d in range(1, 7)]


def land(raw: Path, batch: int) -> None:
    """Batch 1: products, orders of days 1-6, items of days 1-7 (day 7 before its orders),
    an order with a bad amount and its item. Batch 2: the rest, a corrected order, a valid
    delivery of the bad one and faulty rows."""
    for dataset in ("products", "orders", "order_items"):
        (raw / dataset).mkdir(parents=True, exist_ok=True)
    for path in sorted(SAMPLE.glob("*/*")):
        day = path.stem
        in_batch_1 = (
            path.parent.name == "products"
            or day in BATCH_1_DAYS
            or (path.parent.name == "order_items" and day == "2025-04-07")
        )
        if in_batch_1 == (batch == 1):
            shutil.copyfile(path, raw / path.parent.name / path.name)
    if batch == 1:
        (raw / "orders" / "2025-04-06-bad-amount.csv").write_text(QUARANTINED_ORDER)
        (raw / "order_items" / "2025-04-06-of-bad-order.csv").write_text(ITEM_OF_QUARANTINED_ORDER)
    if batch == 2:
        (raw / "orders" / "2025-04-13-valid-again.csv").write_text(VALID_DELIVERY_OF_IT)
        (raw / "orders" / "2025-04-13-correction.csv").write_text(CORRECTION)
        (raw / "orders" / "faulty.csv").write_text(BAD_ORDERS)
        (raw / "order_items" / "faulty.csv").write_text(BAD_ITEMS)


def versions(warehouse: Path) -> dict[tuple[str, str], int]:
    tables = [("bronze", d) for d in ("products", "orders", "order_items")] + TABLES
    return {t: open_table(warehouse, *t).version() for t in tables}


def last_commit(warehouse: Path, schema: str, table: str) -> dict:
    """The table's last commit, maintenance (OPTIMIZE, VACUUM) aside."""
    history = open_table(warehouse, schema, table).history()
    return next(h for h in history if h["operation"] not in MAINTENANCE_OPERATIONS)


def last_operation(warehouse: Path, schema: str, table: str) -> str:
    """The last commit's operation, with its write mode when it has one: "WRITE Append"."""
    commit = last_commit(warehouse, schema, table)
    if commit["operation"] == "WRITE":
        return f"WRITE {commit['operationParameters']['mode']}"
    return commit["operation"]


def dbt_threads(warehouse: Path) -> set[str]:
    """The dbt threads the warehouse's latest run ran its nodes on."""
    report = warehouse / "reports" / "latest" / "run_results.json"
    return {node["thread_id"] for node in json.loads(report.read_text())["results"]} - {"main"}


@pytest.fixture(scope="module")
def full_build(tmp_path_factory) -> Path:
    """Every file of both batches landed at once, built in one run."""
    root = tmp_path_factory.mktemp("full")
    land(root / "raw", 1)
    land(root / "raw", 2)
    succeed(
        "run", "--raw", str(root / "raw"), "--warehouse", str(root / "wh"), warehouse=root / "wh"
    )
    return root / "wh"


@pytest.fixture(scope="module")
def two_batches(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("batches")
    raw, wh = root / "raw", root / "wh"
    land(raw, 1)
    succeed("run", "--raw", str(raw), "--warehouse", str(wh), warehouse=wh)
    first_report = json.loads((wh / "reports" / "latest" / "quality.json").read_text())
    first_threads = dbt_threads(wh)
    held_back = query(
        "select id, _reason from t where _is_held_back",
        t=open_table(wh, "quarantine", "order_items"),
    )
    land(raw, 2)
    # after a passing build, on two threads: the incremental run must not depend on node order
    output = succeed("run", "--raw", str(raw), "--warehouse", str(wh), warehouse=wh)
    return {
        "warehouse": wh,
        "raw": raw,
        "held_back_after_batch_1": held_back,
        "first_report": first_report,
        "first_threads": first_threads,
        "output": output,
    }


def test_a_run_after_a_passing_build_builds_independent_nodes_at_once(two_batches):
    """A build from scratch runs dbt on one thread against the run's own engine; a run after
    a passing build on two (dbt_runner.scheduled_build)."""
    assert len(two_batches["first_threads"]) == 1
    assert len(dbt_threads(two_batches["warehouse"])) == 2


def test_the_second_run_checks_what_changed_since_the_first(two_batches):
    """The first run checks whole tables; the second, after the first passed, the keys
    touched since the first's build ended (its held-back items released into Silver among them)."""
    first = two_batches["first_report"]
    second = json.loads(
        (two_batches["warehouse"] / "reports" / "latest" / "quality.json").read_text()
    )
    assert first["tests_since"] is None
    assert second["tests_since"] == first["checked_at"]
    for report in (first, second):
        accounting = {t["name"]: t["status"] for t in report["tests"]}
        assert accounting["bronze_rows_accounted_for"] == "pass"
        assert [a["unaccounted"] for a in report["accounting"]] == [0, 0, 0]


def test_items_before_their_order_are_held_back_then_counted(two_batches):
    day_7_items = len((SAMPLE / "order_items" / "2025-04-07.csv").read_text().splitlines()) - 1
    reasons = [r["_reason"] for r in two_batches["held_back_after_batch_1"]]
    assert reasons.count("order not in silver yet: held back until it arrives") == day_7_items
    wh = two_batches["warehouse"]
    still_held = query(
        "select count(*) as n from t where _is_held_back",
        t=open_table(wh, "quarantine", "order_items"),
    )
    assert still_held == [{"n": 0}]


def test_items_of_a_quarantined_order_wait_for_a_valid_delivery_of_it(two_batches):
    assert {
        "id": "900010",
        "_reason": (
            "order is quarantined (total_amount is not numeric): "
            "held back until a valid delivery of it arrives"
        ),
    } in two_batches["held_back_after_batch_1"]
    released = query(
        "select id, order_id from t where id = 900010",
        t=open_table(two_batches["warehouse"], "silver", "order_items"),
    )
    assert released == [{"id": 900010, "order_id": 900010}]


def test_two_batches_equal_one_full_build(two_batches, full_build):
    for schema, table in TABLES:
        assert table_rows(two_batches["warehouse"], schema, table) == table_rows(
            full_build, schema, table
        ), f"{schema}.{table} differs"


@pytest.mark.parametrize(
    ("table", "zorder_by"), [("orders", "user_id"), ("order_items", "product_id")]
)
def test_a_build_writes_silver_as_maintenance_would_leave_it(full_build, table, zorder_by):
    """One file per day, sorted by the Z-order column (macros/sail/sail_sorted_writes.sql),
    so maintenance after the build had nothing to rewrite."""
    delta = open_table(full_build, "silver", table)
    assert all(h["operation"] not in ("OPTIMIZE", "VACUUM START") for h in delta.history())
    days = pa.table(delta.get_add_actions(flatten=True))["partition.order_date"].to_pylist()
    assert len(days) == len(set(days)) > 1
    for path in delta.file_uris():
        values = pq.read_table(path, columns=[zorder_by])[0].to_pylist()
        assert values == sorted(values), path


def test_full_refresh_on_the_same_bronze_equals_the_incremental_result(two_batches, tmp_path):
    copy = tmp_path / "wh"
    shutil.copytree(two_batches["warehouse"], copy)
    succeed("dbt", "build", "--full-refresh", "--warehouse", str(copy), warehouse=copy)
    assert last_operation(copy, "silver", "order_items") not in ("MERGE", "WRITE Append")
    for schema, table in TABLES:
        assert table_rows(copy, schema, table) == table_rows(
            two_batches["warehouse"], schema, table
        ), f"{schema}.{table} differs"


def test_refreshing_silver_orders_alone_keeps_the_next_run_right(two_batches, full_build, tmp_path):
    """The refresh gives every order a new `_in_silver_since`, later than the line items'
    last merge: the next run reconsiders every item and must still equal a full build."""
    copy = tmp_path / "wh"
    shutil.copytree(two_batches["warehouse"], copy)
    refresh = ("dbt", "run", "--select", "silver_orders", "--full-refresh", "--warehouse")
    succeed(*refresh, str(copy), warehouse=copy)
    items_version = open_table(copy, "silver", "order_items").version()
    succeed("dbt", "build", "--warehouse", str(copy), warehouse=copy)
    assert open_table(copy, "silver", "order_items").version() > items_version
    for schema, table in TABLES:
        assert table_rows(copy, schema, table) == table_rows(full_build, schema, table), (
            f"{schema}.{table} differs"
        )


def test_second_run_merges_into_the_partitions_it_changes_and_appends_new_keys(two_batches):
    """Order 10000 is corrected: a MERGE confined to the partitions holding the keys it
    brings (macros/sail/sail_merge.sql). The second batch's line items are all new: appended."""
    orders = last_commit(two_batches["warehouse"], "silver", "orders")
    assert orders["operation"] == "MERGE"
    assert "order_date" in orders["operationParameters"]["mergePredicate"]
    assert last_operation(two_batches["warehouse"], "silver", "order_items") == "WRITE Append"


def test_later_delivery_wins_and_bad_rows_are_quarantined_with_reasons(two_batches):
    wh = two_batches["warehouse"]
    amount = query(
        "select total_amount from t where order_id = 10000", t=open_table(wh, "silver", "orders")
    )
    assert str(amount[0]["total_amount"]) == "999.99"
    reasons = {
        r["_reason"]
        for table in ("orders", "order_items")
        for r in query("select _reason from t", t=open_table(wh, "quarantine", table))
    }
    assert reasons == {
        "total_amount is not numeric",
        "total_amount is not positive",
        "total_amount is missing",
        "order_timestamp does not parse as a timestamp",
        "user_id is missing",
        "product_id is not in the product catalogue",
        "reordered is not 0 or 1",
        "id is missing",
    }
    assert "Quarantined rows per reason" in two_batches["output"]


def test_run_with_nothing_new_changes_no_table(two_batches):
    """Bronze, Silver and the marts by day get no new Delta version; the tables dbt rebuilds
    on every run (quarantine, the other marts) come out identical."""
    wh, raw = two_batches["warehouse"], two_batches["raw"]
    before = versions(wh)
    rebuilt = {t: table_rows(wh, *t) for t in TABLES if t[0] in ("quarantine", "gold")}
    output = succeed("run", "--raw", str(raw), "--warehouse", str(wh), warehouse=wh)
    assert "0 loaded" in output
    after = versions(wh)
    untouched = [t for t in before if t[0] in ("bronze", "silver") or t in DAY_MARTS]
    assert {t: after[t] for t in untouched} == {t: before[t] for t in untouched}
    assert {t: table_rows(wh, *t) for t in rebuilt} == rebuilt


def test_plain_dbt_build_is_incremental_the_second_time(tmp_path):
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    land(raw, 1)
    succeed("ingest", "--raw", str(raw), "--warehouse", str(wh), warehouse=wh)
    succeed("deps", warehouse=wh, tool="dbt")
    succeed("build", warehouse=wh, tool="dbt")
    assert last_operation(wh, "silver", "order_items") == "CREATE TABLE"
    land(raw, 2)
    succeed("ingest", "--raw", str(raw), "--warehouse", str(wh), warehouse=wh)
    succeed("build", warehouse=wh, tool="dbt")
    assert last_operation(wh, "silver", "order_items") == "WRITE Append"
    assert last_operation(wh, "silver", "orders") == "MERGE"


def test_dbt_on_an_engine_kept_running(two_batches, tmp_path):
    """`lakehouse engine` serves `--target engine`; the registry hooks attach the tables in
    each client's session, so the build finds Silver and merges nothing new."""
    wh = tmp_path / "wh"
    shutil.copytree(two_batches["warehouse"], wh)
    port = free_port()
    engine = subprocess.Popen(
        [str(BIN / "lakehouse"), "engine", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: listening(port), seconds=30)
        before = versions(wh)
        port_env = {"LAKEHOUSE_ENGINE_PORT": str(port)}
        succeed("build", "--target", "engine", warehouse=wh, tool="dbt", **port_env)
        assert {t: v for t, v in versions(wh).items() if t[0] == "silver"} == {
            t: v for t, v in before.items() if t[0] == "silver"
        }
    finally:
        engine.terminate()
        engine.wait(timeout=30)


def test_failing_step_is_named_and_exits_non_zero(tmp_path):
    result = cli(
        "run",
        "--raw",
        str(tmp_path / "missing"),
        "--warehouse",
        str(tmp_path / "wh"),
        warehouse=tmp_path / "wh",
    )
    assert result.returncode == 1
    assert "step 'ingest' failed" in result.stdout
    assert "missing" in result.stdout


def test_product_snapshot_keeps_history_across_runs(tmp_path):
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    for dataset, name in (("products", "products.csv"), ("orders", "2025-04-01.csv")):
        (raw / dataset).mkdir(parents=True)
        shutil.copyfile(SAMPLE / dataset / name, raw / dataset / name)
    succeed("run", "--raw", str(raw), "--warehouse", str(wh), warehouse=wh)
    (raw / "products" / "changes.csv").write_text(
        "product_id,department_id,department,product_name\n"
        "1,4,Books,Product_1_Renamed\n"
        "2,2,Home,Product_2_There\n"
    )
    succeed("run", "--raw", str(raw), "--warehouse", str(wh), warehouse=wh)
    history = query(
        "select product_id, product_name, department, dbt_valid_to is null as is_current "
        "from t where product_id in (1, 2, 3) order by product_id, dbt_valid_from",
        t=open_table(wh, "snapshots", "products"),
    )
    assert [tuple(r.values()) for r in history] == [
        (1, "Product_1_Store", "Books", False),
        (1, "Product_1_Renamed", "Books", True),
        (2, "Product_2_There", "Books", False),
        (2, "Product_2_There", "Home", True),
        (3, "Product_3_Hand", "Books", True),
    ]
