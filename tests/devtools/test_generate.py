import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from lakehouse.bronze.readers import read_raw_file
from lakehouse.datasets import DATASETS
from lakehouse.devtools.generate import FAULTS, Profile, generate
from tests.support import SAMPLE

START = dt.date(2025, 4, 1)


@pytest.fixture(scope="module")
def profile() -> Profile:
    return Profile.from_sample(SAMPLE)


def write(out: Path, profile: Profile, **options) -> None:
    generate(out, profile, **{"days": 2, "orders_per_day": 300, "start": START, **options})


def read(folder: Path, dataset: str) -> pa.Table:
    return pa.concat_tables(
        read_raw_file(p, DATASETS[dataset]).table for p in sorted((folder / dataset).iterdir())
    )


def test_landing_layout_with_the_sample_columns(tmp_path, profile):
    write(tmp_path, profile)
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.csv")) == [
        "order_items/2025-04-01.csv",
        "order_items/2025-04-02.csv",
        "orders/2025-04-01.csv",
        "orders/2025-04-02.csv",
        "products/products.csv",
    ]
    for dataset in DATASETS:
        sample_header = next((SAMPLE / dataset).iterdir()).read_text().splitlines()[0]
        generated = next((tmp_path / dataset).iterdir()).read_text().splitlines()[0]
        assert generated == sample_header


def test_same_seed_same_files_other_seed_other_files(tmp_path, profile):
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        write(tmp_path / name, profile, seed=seed)
    day = Path("order_items/2025-04-02.csv")
    assert (tmp_path / "a" / day).read_bytes() == (tmp_path / "b" / day).read_bytes()
    assert (tmp_path / "a" / day).read_bytes() != (tmp_path / "c" / day).read_bytes()


def test_follows_the_sample(tmp_path, profile):
    write(tmp_path, profile, days=3, orders_per_day=2000)
    orders, items = read(tmp_path, "orders"), read(tmp_path, "order_items")
    sample_orders, sample_items = read(SAMPLE, "orders"), read(SAMPLE, "order_items")
    assert orders.num_rows == 6000
    assert items.num_rows / orders.num_rows == pytest.approx(
        sample_items.num_rows / sample_orders.num_rows, rel=0.05
    )
    reorder_rate = pc.mean(items["reordered"].cast("int64")).as_py()
    assert reorder_rate == pytest.approx(profile.reorder_rate, abs=0.02)
    hours = pc.utf8_slice_codeunits(orders["order_timestamp"], 11, 13)
    assert len(pc.unique(hours)) == 24
    assert pc.count_distinct(orders["user_id"]).as_py() < orders.num_rows  # repeat customers
    # line items repeat their order's customer and timestamp
    by_order = dict(zip(orders["order_id"].to_pylist(), orders["user_id"].to_pylist(), strict=True))
    assert all(
        by_order[o] == u
        for o, u in zip(*(items[c].to_pylist() for c in ("order_id", "user_id")), strict=True)
    )


def test_faulty_rows_of_every_kind(tmp_path, profile):
    write(tmp_path, profile, orders_per_day=3000, fault_rate=0.02)
    for dataset, faults in FAULTS.items():
        if dataset == "products":
            continue  # 1000 rows: too few for every kind at 2%
        table = read(tmp_path, dataset)
        for column, value in faults:
            assert value in table[column].to_pylist(), f"{dataset}.{column} = {value!r}"


def test_excel(tmp_path, profile):
    write(tmp_path, profile, days=1, orders_per_day=20, file_format="xlsx")
    csv = tmp_path / "csv"
    write(csv, profile, days=1, orders_per_day=20)
    for dataset in DATASETS:
        assert read(tmp_path, dataset).equals(read(csv, dataset))
