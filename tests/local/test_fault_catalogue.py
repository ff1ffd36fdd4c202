"""The fault catalogue: bad inputs and failures fed to the whole pipeline, each with the
outcome a user should see and the row accounting checked afterwards.

One landing folder holds a clean day of the sample plus one file per fault, and is run
once; the killed run and the concurrent runs get their own warehouses."""

import datetime as dt
import json
import shutil
import signal
import subprocess
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest
from deltalake import write_deltalake

from lakehouse.local import report
from lakehouse.transform import dbt_runner
from lakehouse.warehouse.tables import open_table, query
from tests.support import (
    BIN,
    ITEMS_HEADER,
    ORDERS_HEADER,
    SAMPLE,
    TABLES,
    cli,
    table_rows,
    wait_until,
)

pytestmark = pytest.mark.e2e

DAY = "2025-04-01"
CLEAN_ORDER = f"90,10000,1990,{DAY}T11:27:00,229.53,{DAY}"
FAULT_FILES = {
    # name: (dataset, content)
    "dup_of_day1.csv": ("orders", None),  # same bytes as orders/2025-04-01.csv
    "redelivery.csv": ("orders", f"{ORDERS_HEADER}\n90,10000,1990,{DAY}T11:27:00,300.00,{DAY}\n"),
    "amounts.csv": (
        "orders",
        f"{ORDERS_HEADER}\n1,800001,7,{DAY}T10:00:00,12,5O,{DAY}\n".replace("12,5O", '"12,5O"')
        + f"2,800002,7,{DAY}T10:00:00,-4.00,{DAY}\n3,800003,7,{DAY}T10:00:00,,{DAY}\n",
    ),
    "timestamps.csv": ("orders", f"{ORDERS_HEADER}\n4,800004,7,31/04/2025 10h,10.00,{DAY}\n"),
    "far_future.csv": (
        "orders",
        f"{ORDERS_HEADER}\n9,800009,7,2999-01-01T00:00:00,10.00,2999-01-01\n",
    ),
    "implausible.csv": (
        "orders",
        f"{ORDERS_HEADER}\n10,800010,7,2024-12-31T10:00:00,10.00,2024-12-31\n"
        f"11,800011,7,{DAY}T10:00:00,1.005,{DAY}\n"
        f"12,800012,7,{DAY}T10:00:00,123456789012345.00,{DAY}\n"
        f"0,800013,7,{DAY}T10:00:00,10.00,{DAY}\n",
    ),
    "ids.csv": (
        "order_items",
        f"{ITEMS_HEADER}\n,10000,1990,1,1,20,0,{DAY}T11:27:00,{DAY}\n"
        f"900002,,1990,1,1,21,0,{DAY}T11:27:00,{DAY}\n",
    ),
    "unknown_product.csv": (
        "order_items",
        f"{ITEMS_HEADER}\n900003,10000,1990,1,424242,22,0,{DAY}T11:27:00,{DAY}\n",
    ),
    "before_order.csv": (
        "order_items",
        f"{ITEMS_HEADER}\n900004,777777,1990,1,1,1,0,2025-04-02T09:00:00,2025-04-02\n",
    ),
    "no_amount_column.csv": (
        "orders",
        "order_num,order_id,user_id,order_timestamp,date\n1,2,3,x,y\n",
    ),
    "extra_column.csv": (
        "orders",
        f"{ORDERS_HEADER},coupon\n5,800005,7,{DAY}T12:00:00,15.00,{DAY},SPRING\n",
    ),
    "header_only.csv": ("orders", ORDERS_HEADER + "\n"),
    "bom_crlf.csv": (
        "orders",
        b"\xef\xbb\xbf" + f"{ORDERS_HEADER}\r\n6,800006,7,{DAY}T13:00:00,16.00,{DAY}\r\n".encode(),
    ),
    "binary.csv": ("orders", bytes(range(256)) * 8),
    "truncated.csv": (
        "orders",
        f"{ORDERS_HEADER}\n7,800007,7,{DAY}T14:00:00,17.00,{DAY}\n8,80".encode(),
    ),
}


def make_landing(raw: Path) -> None:
    for dataset, name in (
        ("products", "products.csv"),
        ("orders", f"{DAY}.csv"),
        ("order_items", f"{DAY}.csv"),
    ):
        (raw / dataset).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLE / dataset / name, raw / dataset / name)
    for name, (dataset, content) in FAULT_FILES.items():
        target = raw / dataset / name
        if content is None:
            shutil.copyfile(raw / dataset / f"{DAY}.csv", target)
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    book = openpyxl.Workbook()  # an Excel delivery with numbers typed as numbers
    book.active.append(ITEMS_HEADER.split(","))
    book.active.append(
        [900005, 10000, 1990, 3, 1, 23, 1, dt.datetime(2025, 4, 1, 11, 27), dt.date(2025, 4, 1)]
    )
    book.save(raw / "order_items" / "excel_numbers.xlsx")


def run(raw: Path, wh: Path) -> subprocess.CompletedProcess:
    return cli("run", "--raw", str(raw), "--warehouse", str(wh), warehouse=wh)


def quality(wh: Path) -> dict:
    return json.loads((wh / "reports" / "latest" / "quality.json").read_text())


@pytest.fixture(scope="module")
def faulty(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("faults")
    make_landing(root / "raw")
    result = run(root / "raw", root / "wh")
    assert result.returncode == 0, result.stdout[-3000:]
    files = {Path(f["path"]).name: f for f in quality(root / "wh")["files"]}
    return {"wh": root / "wh", "raw": root / "raw", "stdout": result.stdout, "files": files}


def rows(wh: Path, schema: str, table: str, where: str) -> list[dict]:
    return query(f"select * from t where {where}", t=open_table(wh, schema, table))


def test_every_bronze_row_is_accounted_for(faulty):
    accounting = quality(faulty["wh"])["accounting"]
    assert [a["unaccounted"] for a in accounting] == [0, 0, 0], accounting
    counts = quality(faulty["wh"])["test_counts"]
    assert counts.get("fail", 0) == counts.get("error", 0) == 0


def append(wh: Path, schema: str, table: str, row: dict) -> None:
    """Append ROW to a table behind dbt's back, as a hand edit or a bug would."""
    delta = open_table(wh, schema, table)
    columns = pa.schema(delta.schema().to_arrow())
    write_deltalake(delta, pa.Table.from_pylist([row], columns), mode="append")


def plant_in_quarantine(wh: Path, row: dict) -> None:
    """Append a copy of an orders' Bronze row to their quarantine."""
    append(wh, "quarantine", "orders", {"_reason": "planted", "_is_held_back": False, **row})


def dbt_test(wh: Path, selection: str, since: str | None) -> subprocess.CompletedProcess:
    """`dbt test --select SELECTION` by hand, or as a scheduled run whose window began at
    SINCE."""
    window = {"LAKEHOUSE_TESTS_SINCE": since} if since else {}
    return cli("dbt", "test", "--select", selection, warehouse=wh, extra_env=window)


def a_second_before(now: dt.datetime) -> str:
    return (now - dt.timedelta(seconds=1)).isoformat()


def test_row_accounting_names_a_lost_row_and_a_row_counted_twice(faulty, tmp_path):
    """The accounting test itself fails, naming each planted row with the number of places
    it is in: an order lost from Silver, and copies planted in quarantine of a quarantined
    row, of a superseded row (order 10000's first delivery) and of a current row. The
    report shows the imbalance."""
    wh = tmp_path / "wh"
    shutil.copytree(faulty["wh"], wh)
    lost = rows(wh, "silver", "orders", "order_id = 800005")[0]
    open_table(wh, "silver", "orders").delete("order_id = 800005")
    current = rows(wh, "silver", "orders", "order_id = 800006")[0]
    corrected = rows(wh, "silver", "orders", "order_id = 10000")[0]
    superseded = rows(
        wh, "bronze", "orders", f"order_id = '10000' and _file_hash != '{corrected['_file_hash']}'"
    )[0]
    quarantined = rows(wh, "quarantine", "orders", "order_id = '800001'")[0]
    planted = {
        "twice in quarantine": quarantined,
        "in quarantine and superseded": superseded,
        "in quarantine and current": current,
    }
    for row in planted.values():
        where = f"_file_hash = '{row['_file_hash']}' and _row_number = {row['_row_number']}"
        plant_in_quarantine(wh, rows(wh, "bronze", "orders", where)[0])
    result = dbt_test(wh, "bronze_rows_accounted_for", None)
    assert result.returncode == 1
    failing = query(
        "select dataset, _file_hash, _row_number, places from t",
        t=open_table(wh, "test_failures", "bronze_rows_accounted_for"),
    )
    named = {(r["dataset"], r["_file_hash"], r["_row_number"]): r["places"] for r in failing}
    cases = {"nowhere": lost, **planted}
    found = {c: named.get(("orders", r["_file_hash"], r["_row_number"])) for c, r in cases.items()}
    assert found == {"nowhere": 0} | dict.fromkeys(planted, 2)
    assert len(named) == len(cases), named
    built = report.build(wh, [], {}, dbt_runner.TARGET_DIR, dt.datetime.now(dt.UTC))
    orders = next(a for a in built["accounting"] if a["dataset"] == "orders")
    assert orders["unaccounted"] == 1 - len(planted), orders


@pytest.mark.parametrize(
    ("since", "lost_is_named"),
    [("1970-01-01T00:00:00+00:00", True), ("2999-01-01T00:00:00+00:00", False)],
)
def test_a_scheduled_run_checks_the_keys_it_touched_and_all_of_quarantine(
    faulty, tmp_path, since, lost_is_named
):
    """With LAKEHOUSE_TESTS_SINCE, the accounting test checks the keys loaded, merged into
    Silver or quarantined since then: an order lost from Silver is named when its key is
    in that window and not after it (the whole-table check is `dbt test` by hand). A row
    twice in quarantine, and a line item without an id lost from quarantine, are named
    whatever the window."""
    wh = tmp_path / "wh"
    shutil.copytree(faulty["wh"], wh)
    lost = rows(wh, "silver", "orders", "order_id = 800005")[0]
    open_table(wh, "silver", "orders").delete("order_id = 800005")
    quarantined = rows(wh, "quarantine", "orders", "order_id = '800001'")[0]
    plant_in_quarantine(wh, quarantined)
    [keyless] = rows(wh, "quarantine", "order_items", "coalesce(trim(id), '') = ''")
    open_table(wh, "quarantine", "order_items").delete(
        f"_file_hash = '{keyless['_file_hash']}' and _row_number = {keyless['_row_number']}"
    )
    result = dbt_test(wh, "bronze_rows_accounted_for", since)
    assert result.returncode == 1, result.stdout[-3000:]
    failing = query(
        "select dataset, _file_hash, _row_number, places from t",
        t=open_table(wh, "test_failures", "bronze_rows_accounted_for"),
    )
    named = {(r["dataset"], r["_file_hash"], r["_row_number"]): r["places"] for r in failing}
    expected = {
        ("orders", quarantined["_file_hash"], quarantined["_row_number"]): 2,
        ("order_items", keyless["_file_hash"], keyless["_row_number"]): 0,
    }
    if lost_is_named:
        expected[("orders", lost["_file_hash"], lost["_row_number"])] = 0
    assert named == expected


@pytest.mark.parametrize(
    ("window_opens", "orphan_is_found"),
    [(dt.timedelta(seconds=-1), True), (dt.timedelta(days=1), False)],
)
def test_a_scheduled_run_looks_up_the_orders_of_the_line_items_loaded_since(
    faulty, tmp_path, window_opens, orphan_is_found
):
    """With LAKEHOUSE_TESTS_SINCE, `relationships` on silver_order_items looks up the
    parents of the rows loaded since then (`meta.updated_at`): a line item planted with an
    order that is not in Silver, loaded now, fails it when the window opens before now,
    and not after (the whole-table check is `dbt test` by hand)."""
    wh = tmp_path / "wh"
    shutil.copytree(faulty["wh"], wh)
    now = dt.datetime.now(dt.UTC)
    item = rows(wh, "silver", "order_items", "true")[0]
    orphan = {**item, "id": 999999001, "order_id": 999999002, "_loaded_at": now}
    append(wh, "silver", "order_items", orphan)
    since = (now + window_opens).isoformat()
    result = dbt_test(wh, "silver_order_items,test_name:relationships", since)
    assert result.returncode == (1 if orphan_is_found else 0), result.stdout[-3000:]
    assert ("Got 1 result" in result.stdout) == orphan_is_found, result.stdout[-3000:]


def test_a_tests_window_that_is_not_an_instant_is_named(faulty):
    result = dbt_test(faulty["wh"], "bronze_rows_accounted_for", "yesterday")
    assert result.returncode != 0
    assert "LAKEHOUSE_TESTS_SINCE must be an ISO instant with its offset" in result.stdout
    assert "not 'yesterday'" in result.stdout


@pytest.mark.parametrize("in_a_scheduled_run", [False, True])
def test_a_bronze_row_stored_twice_fails_the_grain_test_naming_its_file(
    faulty, tmp_path, in_a_scheduled_run
):
    """Whole tables, or in a scheduled run the files with rows loaded since its window
    began: the copy is loaded again inside the window, its file's first rows before it."""
    wh = tmp_path / "wh"
    shutil.copytree(faulty["wh"], wh)
    row = rows(wh, "bronze", "orders", "order_id = '10001'")[0]
    file_rows = len(rows(wh, "bronze", "orders", f"_file_hash = '{row['_file_hash']}'"))
    since = None
    if in_a_scheduled_run:
        now = dt.datetime.now(dt.UTC)
        row = {**row, "_loaded_at": now}
        since = a_second_before(now)
    append(wh, "bronze", "orders", row)
    selection = "source:bronze.orders,test_name:one_row_per_delivered_row"
    result = dbt_test(wh, selection, since)
    assert result.returncode == 1, result.stdout[-3000:]
    (failures,) = (wh / "test_failures").glob("source_one_row_per_delivered_row_bronze_orders*")
    assert query("select * from t", t=open_table(wh, "test_failures", failures.name)) == [
        {
            "_file_hash": row["_file_hash"],
            "row_count": file_rows + 1,
            "distinct_row_numbers": file_rows,
        }
    ]


@pytest.mark.parametrize(
    ("scheduled", "inserted_since", "named"),
    [(False, False, True), (True, True, True), (True, False, False)],
)
def test_a_silver_key_stored_twice_fails_unique_where_it_looks(
    faulty, tmp_path, scheduled, inserted_since, named
):
    """By hand `unique` groups the whole table. In a scheduled run it counts, over the whole
    table, the keys of the rows inserted since its window began: a copy inserted since is
    named; one that no run inserted since is left to the whole-table test."""
    wh = tmp_path / "wh"
    shutil.copytree(faulty["wh"], wh)
    row = rows(wh, "silver", "orders", "order_id = 10001")[0]
    now = dt.datetime.now(dt.UTC)
    if inserted_since:
        row = {**row, "_in_silver_since": now}
    append(wh, "silver", "orders", row)
    since = a_second_before(now) if scheduled else None
    result = dbt_test(wh, "silver_orders,test_name:unique", since)
    assert result.returncode == (1 if named else 0), result.stdout[-3000:]
    failures = open_table(wh, "test_failures", "unique_silver_orders_order_id")
    assert query("select * from t", t=failures) == (
        [{"unique_field": 10001, "n_records": 2}] if named else []
    )


@pytest.mark.parametrize(
    ("scheduled", "loaded_since", "named"),
    [(False, False, True), (True, True, True), (True, False, False)],
)
def test_an_order_dated_another_day_warns_where_the_test_looks(
    faulty, tmp_path, scheduled, loaded_since, named
):
    """The source-quirk warning reads all of staging by hand, and the rows loaded since its
    window began in a scheduled run (staging only gains rows)."""
    wh = tmp_path / "wh"
    shutil.copytree(faulty["wh"], wh)
    row = rows(wh, "staging", "stg_shop__orders", "order_id = 10001")[0]
    now = dt.datetime.now(dt.UTC)
    row = {**row, "raw_date": "1999-01-01", "_row_number": 999}
    if loaded_since:
        row["_loaded_at"] = now
    append(wh, "staging", "stg_shop__orders", row)
    since = a_second_before(now) if scheduled else None
    result = dbt_test(wh, "orders_date_matches_timestamp", since)
    assert result.returncode == 0, result.stdout[-3000:]  # a warning
    warned = open_table(wh, "test_failures", "orders_date_matches_timestamp")
    dated = query("select order_id, `date` from t where `date` = '1999-01-01'", t=warned)
    assert dated == ([{"order_id": "10001", "date": "1999-01-01"}] if named else [])


@pytest.mark.parametrize(
    ("scheduled", "day_changed_since", "named"),
    [(False, False, True), (True, True, True), (True, False, False)],
)
def test_a_line_item_disagreeing_with_its_order_warns_where_the_test_looks(
    faulty, tmp_path, scheduled, day_changed_since, named
):
    """By hand the warning joins every order to its line items. In a scheduled run it reads
    the orders on the days Silver changed since its window began: a disagreement on a day
    no run changed since is left to the whole-table test."""
    wh = tmp_path / "wh"
    shutil.copytree(faulty["wh"], wh)
    item = rows(wh, "silver", "order_items", "order_id = 10001")[0]
    open_table(wh, "silver", "order_items").update(
        new_values={"user_id": -1}, predicate=f"id = {item['id']}"
    )
    now = dt.datetime.now(dt.UTC)
    if day_changed_since:
        order_date = rows(wh, "silver", "orders", "order_id = 10001")[0]["order_date"]
        open_table(wh, "silver", "order_day_changes").update(
            new_values={"_changed_by_load_at": now}, predicate=f"order_date = '{order_date}'"
        )
    since = a_second_before(now) if scheduled else None
    result = dbt_test(wh, "order_items_agree_with_their_order", since)
    assert result.returncode == 0, result.stdout[-3000:]  # a warning
    warned = open_table(wh, "test_failures", "order_items_agree_with_their_order")
    named_items = query("select id, item_user_id from t", t=warned)
    assert named_items == ([{"id": item["id"], "item_user_id": -1}] if named else [])


def test_duplicate_file_under_another_name_is_skipped(faulty):
    assert faulty["files"]["dup_of_day1.csv"]["outcome"] == "skipped"
    assert "orders/2025-04-01.csv" in faulty["files"]["dup_of_day1.csv"]["detail"]
    bronze = rows(faulty["wh"], "bronze", "orders", "order_id = '10001'")
    assert len(bronze) == 1


def test_redelivered_row_with_changed_values_supersedes_the_first(faulty):
    current = rows(faulty["wh"], "silver", "orders", "order_id = 10000")
    assert [str(r["total_amount"]) for r in current] == ["300.00"]
    orders = next(a for a in quality(faulty["wh"])["accounting"] if a["dataset"] == "orders")
    assert orders["superseded"] == 1


@pytest.mark.parametrize(
    ("table", "where", "reason"),
    [
        ("orders", "order_id = '800001'", "total_amount is not numeric"),
        ("orders", "order_id = '800002'", "total_amount is not positive"),
        ("orders", "order_id = '800003'", "total_amount is missing"),
        ("orders", "order_id = '800004'", "order_timestamp does not parse as a timestamp"),
        (
            "orders",
            "order_id = '800009'",
            "order_timestamp is after now + 24 hours (future_tolerance_hours)",
        ),
        (
            "orders",
            "order_id = '800010'",
            "order_timestamp is before first_business_date (2025-01-01)",
        ),
        ("orders", "order_id = '800011'", "total_amount has more than 2 decimal places"),
        ("orders", "order_id = '800012'", "total_amount is above max_order_amount (10000)"),
        ("orders", "order_id = '800013'", "order_num is not positive"),
        ("order_items", "order_id = '10000' and add_to_cart_order = '20'", "id is missing"),
        ("order_items", "id = '900002'", "order_id is missing"),
        ("order_items", "id = '900003'", "product_id is not in the product catalogue"),
    ],
)
def test_bad_rows_are_quarantined_with_original_values_and_reason(faulty, table, where, reason):
    quarantined = rows(faulty["wh"], "quarantine", table, where)
    assert [r["_reason"] for r in quarantined] == [reason]
    assert quarantined[0]["_source_file"].startswith(f"{table}/")


def test_far_future_order_stays_out_of_silver_and_the_build_completes(faulty):
    """Once staged into Silver, such an order failed the order_date range test of every
    later build (Gold skipped), whatever happened to its file."""
    assert rows(faulty["wh"], "silver", "orders", "order_id = 800009") == []
    range_tests = [
        t
        for t in quality(faulty["wh"])["tests"]
        if t["name"].startswith("dbt_expectations_expect_column_values_to_be_between_silver_")
        and "order_date" in t["name"]
    ]
    assert [t["status"] for t in range_tests] == ["pass", "pass"]
    gold_days = rows(faulty["wh"], "gold", "daily_sales", "true")
    assert gold_days and max(str(r["order_date"]) for r in gold_days) == DAY


def test_line_item_before_its_order_is_held_back(faulty):
    held = rows(faulty["wh"], "quarantine", "order_items", "id = '900004'")
    assert held[0]["_is_held_back"] is True
    assert rows(faulty["wh"], "silver", "order_items", "id = 900004") == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("no_amount_column.csv", "missing required column(s) total_amount"),
        ("binary.csv", "not a UTF-8 text file"),
        ("truncated.csv", "not a well-formed CSV file"),
    ],
)
def test_unloadable_file_is_rejected_with_its_reason_and_the_rest_loads(faulty, name, expected):
    assert faulty["files"][name]["outcome"] == "rejected"
    assert expected in faulty["files"][name]["detail"]
    assert "rejected" in faulty["stdout"] and name in faulty["stdout"]


def test_extra_column_loads_and_is_noted(faulty):
    assert faulty["files"]["extra_column.csv"]["outcome"] == "loaded"
    assert "coupon" in faulty["files"]["extra_column.csv"]["detail"]
    assert rows(faulty["wh"], "silver", "orders", "order_id = 800005") != []


def test_header_only_file_loads_nothing_without_error(faulty):
    assert faulty["files"]["header_only.csv"]["outcome"] == "empty"


def test_bom_and_crlf_load_like_any_file(faulty):
    order = rows(faulty["wh"], "silver", "orders", "order_id = 800006")
    assert [str(r["total_amount"]) for r in order] == ["16.00"]


def test_excel_numbers_typed_as_numbers_join_like_text(faulty):
    item = rows(faulty["wh"], "silver", "order_items", "id = 900005")
    assert [(r["order_id"], r["reordered"], str(r["order_date"])) for r in item] == [
        (10000, 1, DAY)
    ]


def test_killed_run_is_completed_by_the_next_with_nothing_lost_or_doubled(faulty, tmp_path):
    wh = tmp_path / "wh"
    command = [str(BIN / "lakehouse"), "run", "--raw", str(faulty["raw"]), "--warehouse", str(wh)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # dbt has started building Silver, and the run is not over: the kill lands mid-run
    wait_until(lambda: (wh / "silver").exists() or process.poll() is not None, 300)
    assert (wh / "silver").exists() and process.poll() is None, "the run was not caught mid-way"
    assert not (wh / "reports" / "latest").exists()  # written at the very end of a run
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    assert run(faulty["raw"], wh).returncode == 0
    for schema, table in TABLES:
        assert table_rows(wh, schema, table) == table_rows(faulty["wh"], schema, table), table


def test_two_runs_at_once_one_refuses_clearly_and_nothing_is_corrupted(faulty, tmp_path):
    wh = tmp_path / "wh"
    command = [str(BIN / "lakehouse"), "run", "--raw", str(faulty["raw"]), "--warehouse", str(wh)]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # Bronze is created under the lock: once it exists, the first run holds the warehouse
    wait_until(lambda: (wh / "bronze").exists() or first.poll() is not None, 300)
    assert first.poll() is None, "the first run ended before a second could start"
    second = run(faulty["raw"], wh)
    first_out, _ = first.communicate(timeout=300)
    assert first.returncode == 0, first_out[-2000:]
    assert second.returncode == 1
    assert "another lakehouse run is using" in second.stdout
    for schema, table in TABLES:
        assert table_rows(wh, schema, table) == table_rows(faulty["wh"], schema, table), table


def test_quality_report_page_shows_reasons_rejections_and_accounting(faulty):
    page = (faulty["wh"] / "reports" / "latest" / "index.html").read_text()
    for text in (
        "total_amount is not numeric",
        "order not in silver yet: held back until it arrives",
        "binary.csv",
        "missing required column(s) total_amount",
        "Row accounting",
        "Freshness of Bronze",
    ):
        assert text in page, text
