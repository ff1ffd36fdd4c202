from datetime import UTC, datetime, timedelta

import pytest

from lakehouse.bronze import loader
from lakehouse.bronze.loader import Outcome
from lakehouse.local.pipeline import ingest
from lakehouse.warehouse.tables import open_table, query, registered_tables

HEADER = "order_num,order_id,user_id,order_timestamp,total_amount,date"
ROWS = "1,10,3,2025-04-01T00:00:00,9.5,2025-04-01\n2,11,4,2025-04-01T01:00:00,7.25,2025-04-01\n"


def outcomes(results):
    return {r.path.name: r.outcome for r in results}


def test_rows_land_with_load_metadata(tmp_path, landing):
    landing("orders", "day1.csv", HEADER + "\n" + ROWS)
    ingest(landing.root, tmp_path / "wh")
    rows = query(
        "select order_id, _source_file, _row_number, _file_hash, _loaded_at from t order by 3",
        t=open_table(tmp_path / "wh", "bronze", "orders"),
    )
    assert [(r["order_id"], r["_source_file"], r["_row_number"]) for r in rows] == [
        ("10", "orders/day1.csv", 1),
        ("11", "orders/day1.csv", 2),
    ]
    assert len(rows[0]["_file_hash"]) == 64 and rows[0]["_loaded_at"] is not None
    assert ("bronze", "orders") in registered_tables(tmp_path / "wh")


def test_same_content_under_another_name_is_skipped(tmp_path, landing):
    landing("orders", "day1.csv", HEADER + "\n" + ROWS)
    first = ingest(landing.root, tmp_path / "wh")
    landing("orders", "day1_resent.csv", HEADER + "\n" + ROWS)
    second = ingest(landing.root, tmp_path / "wh")
    assert outcomes(first) == {"day1.csv": Outcome.LOADED}
    assert outcomes(second) == {"day1.csv": Outcome.SKIPPED, "day1_resent.csv": Outcome.SKIPPED}
    count = query("select count(*) as n from t", t=open_table(tmp_path / "wh", "bronze", "orders"))
    assert count == [{"n": 2}]


def test_duplicate_within_one_run_is_loaded_once(tmp_path, landing):
    landing("orders", "a.csv", HEADER + "\n" + ROWS)
    landing("orders", "b.csv", HEADER + "\n" + ROWS)
    results = ingest(landing.root, tmp_path / "wh")
    assert outcomes(results) == {"a.csv": Outcome.LOADED, "b.csv": Outcome.SKIPPED}
    assert "orders/a.csv" in results[1].detail


def test_bad_file_is_rejected_and_the_rest_still_loads(tmp_path, landing):
    landing("orders", "good.csv", HEADER + "\n" + ROWS)
    landing("orders", "bad.csv", "order_id,user_id\n1,2\n")
    landing("orders", "empty.csv", HEADER + "\n")
    results = {r.path.name: r for r in ingest(landing.root, tmp_path / "wh")}
    assert results["good.csv"].outcome == Outcome.LOADED and results["good.csv"].rows == 2
    assert results["bad.csv"].outcome == Outcome.REJECTED
    assert "total_amount" in results["bad.csv"].detail
    assert results["empty.csv"].outcome == Outcome.EMPTY


def test_a_file_unchanged_since_it_was_hashed_is_not_read_again(tmp_path, landing, monkeypatch):
    landing("orders", "day1.csv", HEADER + "\n" + ROWS)
    changed = landing("orders", "day2.csv", HEADER + "\n" + ROWS.replace("9.5", "9.6"))
    ingest(landing.root, tmp_path / "wh")
    changed.write_text(HEADER + "\n" + ROWS.replace("9.5", "9.7"))  # edited in place
    hashed = []
    real_sha256 = loader.hashlib.sha256
    monkeypatch.setattr(
        loader.hashlib, "sha256", lambda data: hashed.append(len(data)) or real_sha256(data)
    )
    results = ingest(landing.root, tmp_path / "wh")
    assert outcomes(results) == {"day1.csv": Outcome.SKIPPED, "day2.csv": Outcome.LOADED}
    assert hashed == [changed.stat().st_size]  # only the edited file was read
    count = query("select count(*) as n from t", t=open_table(tmp_path / "wh", "bronze", "orders"))
    assert count == [{"n": 6}]


def test_each_file_loads_later_than_the_one_before_even_on_a_coarse_clock(
    tmp_path, landing, monkeypatch
):
    frozen = datetime(2026, 1, 1, tzinfo=UTC)
    monkeypatch.setattr(loader, "datetime", type("Clock", (datetime,), {"now": lambda tz: frozen}))
    for day in ("day1", "day2"):
        landing("orders", f"{day}.csv", HEADER + "\n" + ROWS.replace("9.5", day[-1]))
        ingest(landing.root, tmp_path / "wh")  # one run per file: across runs too
    landing("orders", "day3.csv", HEADER + "\n" + ROWS.replace("9.5", "3"))
    ingest(landing.root, tmp_path / "wh")
    rows = query(
        "select _source_file, min(_loaded_at) as at from t group by 1 order by 1",
        t=open_table(tmp_path / "wh", "bronze", "orders"),
    )
    times = [r["at"] for r in rows]
    assert [r["_source_file"] for r in rows] == [f"orders/day{n}.csv" for n in (1, 2, 3)]
    assert times == [frozen + timedelta(microseconds=n) for n in (0, 1, 2)]


def test_load_after_another_warehouse_skips_its_files_and_only_reads_it(tmp_path, landing):
    landing("orders", "day1.csv", HEADER + "\n" + ROWS)
    ingest(landing.root, tmp_path / "wh")
    version = open_table(tmp_path / "wh", "bronze", "orders").version()
    landing("orders", "day2.csv", HEADER + "\n" + ROWS.replace("2025-04-01", "2025-04-02"))
    results = ingest(landing.root, tmp_path / "scratch", load_after=tmp_path / "wh")
    assert outcomes(results) == {"day1.csv": Outcome.SKIPPED, "day2.csv": Outcome.LOADED}
    assert results[0].detail == f"same content as a file in {tmp_path / 'wh'}"
    assert open_table(tmp_path / "wh", "bronze", "orders").version() == version
    latest = "select max(_loaded_at) as t from t"
    before = query(latest, t=open_table(tmp_path / "wh", "bronze", "orders"))[0]["t"]
    after = query(latest, t=open_table(tmp_path / "scratch", "bronze", "orders"))[0]["t"]
    assert after > before


def bronze_orders(warehouse):
    return open_table(warehouse, "bronze", "orders")


def test_a_run_appends_each_dataset_in_one_commit_of_one_file(tmp_path, landing):
    for day in ("day1", "day2", "day3"):
        landing("orders", f"{day}.csv", HEADER + "\n" + ROWS.replace("9.5", day[-1]))
    ingest(landing.root, tmp_path / "wh")
    table = bronze_orders(tmp_path / "wh")
    assert [c["operation"] for c in table.history()] == ["WRITE", "CREATE TABLE"]
    assert len(table.file_uris()) == 1
    assert query("select count(*) as n from t", t=table) == [{"n": 6}]


def test_nothing_new_makes_no_commit(tmp_path, landing):
    landing("orders", "day1.csv", HEADER + "\n" + ROWS)
    ingest(landing.root, tmp_path / "wh")
    version = bronze_orders(tmp_path / "wh").version()
    landing("orders", "empty.csv", HEADER + "\n")
    ingest(landing.root, tmp_path / "wh")
    assert bronze_orders(tmp_path / "wh").version() == version


def test_a_run_killed_mid_stream_commits_nothing_and_the_next_loads_each_file_once(
    tmp_path, landing, monkeypatch
):
    for day in ("day1", "day2", "day3"):
        landing("orders", f"{day}.csv", HEADER + "\n" + ROWS.replace("9.5", day[-1]))
    real_read = loader.read_raw_file

    def killed_at_day2(path, dataset):
        if path.name == "day2.csv":
            raise KeyboardInterrupt  # Ctrl-C while delta-rs holds day1's rows
        return real_read(path, dataset)

    monkeypatch.setattr(loader, "read_raw_file", killed_at_day2)
    heard = []
    with pytest.raises(KeyboardInterrupt):  # the run's own error, not delta-rs's wrapping
        ingest(landing.root, tmp_path / "wh", heard.append)
    assert query("select count(*) as n from t", t=bronze_orders(tmp_path / "wh")) == [{"n": 0}]
    assert heard == []  # no file reported loaded that was not committed

    monkeypatch.setattr(loader, "read_raw_file", real_read)
    results = ingest(landing.root, tmp_path / "wh")
    assert set(outcomes(results).values()) == {Outcome.LOADED}
    rows = query(
        "select _source_file, count(*) as n from t group by 1 order by 1",
        t=bronze_orders(tmp_path / "wh"),
    )
    assert rows == [{"_source_file": f"orders/day{n}.csv", "n": 2} for n in (1, 2, 3)]


def test_files_are_reported_in_load_order_once_the_commit_is_done(tmp_path, landing):
    landing("orders", "a.csv", HEADER + "\n" + ROWS)
    landing("orders", "b.csv", "order_id,user_id\n1,2\n")
    landing("orders", "c.csv", HEADER + "\n" + ROWS)
    landing("orders", "d.csv", HEADER + "\n" + ROWS.replace("9.5", "4"))
    heard = []

    def on_file(result):  # also shows that a callback may read the table it is told about
        hashes = query("select distinct _file_hash from t", t=bronze_orders(tmp_path / "wh"))
        heard.append((result.path.name, result.file_hash in {r["_file_hash"] for r in hashes}))

    results = ingest(landing.root, tmp_path / "wh", on_file)
    assert [r.path.name for r in results] == ["a.csv", "b.csv", "c.csv", "d.csv"]
    assert heard == [("a.csv", True), ("b.csv", False), ("c.csv", True), ("d.csv", True)]
