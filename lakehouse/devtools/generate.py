"""Generate raw shop exports in the landing layout, shaped like the bundled sample.

The distributions (line items per order, reorder rate, days since prior order, departments,
order numbers, amounts, hour of day, customers per order) are measured from the sample's
files when the generator starts, so generated data follows the sample at any scale. Rows are
drawn with numpy and written with Arrow's CSV writer: millions of line items a minute.
The same seed and arguments give the same files.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from lakehouse.bronze.readers import read_raw_file
from lakehouse.datasets import DATASETS

FORMATS = ("csv", "xlsx")

# Faulty values, one per kind of row the models quarantine (docs/data-model.md, "Silver and
# quarantine rules"); a faulty row gets one of its dataset's kinds.
FAULTS: dict[str, tuple[tuple[str, str], ...]] = {
    "products": (("product_id", "P-1"), ("product_name", ""), ("department", " ")),
    "orders": (
        ("order_id", ""),
        ("user_id", "anonymous"),
        ("order_timestamp", "yesterday"),
        ("total_amount", "abc"),
        ("total_amount", "-3.50"),
        ("total_amount", ""),
    ),
    "order_items": (
        ("id", ""),
        ("product_id", "999999999"),  # not in the catalogue
        ("add_to_cart_order", "0"),
        ("reordered", "yes"),
        ("order_timestamp", "2025-13-45T25:00:00"),
        ("days_since_prior_order", "soon"),
    ),
}


@dataclass(frozen=True)
class Distribution:
    """An empirical distribution: the distinct values seen and how often."""

    values: np.ndarray
    weights: np.ndarray

    @classmethod
    def of(cls, column: pa.ChunkedArray | pa.Array) -> "Distribution":
        values, counts = np.unique(column.to_numpy(zero_copy_only=False), return_counts=True)
        return cls(values, counts / counts.sum())

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.choice(self.values, size=size, p=self.weights)


@dataclass(frozen=True)
class Profile:
    """What the sample looks like."""

    items_per_order: Distribution
    reorder_rate: float
    days_since_prior_order: Distribution
    order_num: Distribution
    amount_cents: Distribution
    hour_of_day: Distribution
    departments: Distribution  # "department|department_id" as delivered together
    name_words: Distribution  # last word of product names ("Product_1_Store")
    customers_per_order: float  # customer pool size / orders: sets how often customers return
    first_order_id: int
    first_user_id: int

    @classmethod
    def from_sample(cls, sample: Path) -> "Profile":
        def read(dataset: str) -> pa.Table:
            tables = [
                read_raw_file(p, DATASETS[dataset]).table
                for p in sorted((sample / dataset).glob("*.csv"))
            ]
            return pa.concat_tables(tables)

        products, orders, items = read("products"), read("orders"), read("order_items")

        def whole(table: pa.Table, column: str) -> pa.ChunkedArray:
            return table[column].cast(pa.int64())

        user_ids = whole(orders, "user_id")
        first_user, last_user = pc.min(user_ids).as_py(), pc.max(user_ids).as_py()
        items_per_order = pc.value_counts(whole(items, "order_id")).field("counts")
        amounts = pc.multiply(orders["total_amount"].cast(pa.float64()), pa.scalar(100))
        pairs = pc.binary_join_element_wise(  # type: ignore[call-overload]  # stub rejects a str separator
            products["department"], products["department_id"], "|"
        )
        # what follows the last "_" (the whole name when it has none)
        words = pc.replace_substring_regex(products["product_name"], "(?s)^.*_", "")
        return cls(
            items_per_order=Distribution.of(items_per_order),
            reorder_rate=pc.mean(whole(items, "reordered")).as_py(),
            days_since_prior_order=Distribution.of(whole(items, "days_since_prior_order")),
            order_num=Distribution.of(whole(orders, "order_num")),
            amount_cents=Distribution.of(pc.round(amounts).cast(pa.int64())),
            hour_of_day=Distribution.of(
                pc.hour(
                    pc.strptime(orders["order_timestamp"], format="%Y-%m-%dT%H:%M:%S", unit="s")
                )
            ),
            departments=Distribution.of(pairs),
            name_words=Distribution.of(words),
            customers_per_order=(last_user - first_user + 1) / orders.num_rows,
            first_order_id=pc.min(whole(orders, "order_id")).as_py(),
            first_user_id=first_user,
        )


@dataclass(frozen=True)
class Generated:
    files: int
    rows: dict[str, int]  # dataset -> rows written
    faulty_rows: dict[str, int]


def generate(
    out: Path,
    profile: Profile,
    *,
    days: int,
    orders_per_day: int,
    start: dt.date,
    seed: int = 0,
    products: int = 1000,
    fault_rate: float = 0.0,
    file_format: str = "csv",
    on_day: Callable[[dt.date], None] = lambda _: None,
) -> Generated:
    """Write products/products.<ext>, then orders/<date>.<ext> and order_items/<date>.<ext>
    for each of `days` days from `start`."""
    if file_format not in FORMATS:
        raise ValueError(f"file format '{file_format}' is not one of {', '.join(FORMATS)}")
    rows = dict.fromkeys(DATASETS, 0)
    faulty = dict.fromkeys(DATASETS, 0)

    def write(dataset: str, name: str, table: pa.Table, rng: np.random.Generator) -> None:
        table, bad = _with_faults(table, FAULTS[dataset], fault_rate, rng)
        folder = out / dataset
        folder.mkdir(parents=True, exist_ok=True)
        _write(table, folder / f"{name}.{file_format}")
        rows[dataset] += table.num_rows
        faulty[dataset] += bad

    rng = np.random.default_rng([seed, 0])
    write("products", "products", _products(profile, products, rng), rng)
    customers = max(1, round(profile.customers_per_order * orders_per_day * days))
    next_item_id = 1
    for day in range(days):
        date = start + dt.timedelta(days=day)
        rng = np.random.default_rng([seed, 1, day])
        first_order_id = profile.first_order_id + day * orders_per_day
        orders, items = _day(
            profile, rng, date, orders_per_day, first_order_id, next_item_id, customers, products
        )
        next_item_id += items.num_rows
        write("orders", date.isoformat(), orders, rng)
        write("order_items", date.isoformat(), items, rng)
        on_day(date)
    files = 1 + 2 * days
    return Generated(files, rows, faulty)


def _products(profile: Profile, count: int, rng: np.random.Generator) -> pa.Table:
    product_id = np.arange(1, count + 1)
    pairs = np.char.partition(profile.departments.draw(rng, count).astype(str), "|")
    words = profile.name_words.draw(rng, count)
    names = [f"Product_{i}_{word}" for i, word in zip(product_id, words, strict=True)]
    return _text_table(
        {
            "product_id": product_id,
            "department_id": pairs[:, 2],
            "department": pairs[:, 0],
            "product_name": names,
        }
    )


def _day(
    profile: Profile,
    rng: np.random.Generator,
    date: dt.date,
    count: int,
    first_order_id: int,
    first_item_id: int,
    customers: int,
    products: int,
) -> tuple[pa.Table, pa.Table]:
    order_id = first_order_id + np.arange(count)
    user_id = profile.first_user_id + rng.integers(0, customers, count)
    minute = profile.hour_of_day.draw(rng, count) * 60 + rng.integers(0, 60, count)
    timestamp = np.datetime64(date, "m") + minute.astype("timedelta64[m]")
    timestamp_text = pc.strftime(pa.array(timestamp.astype("datetime64[s]")), "%Y-%m-%dT%H:%M:%S")
    orders = _text_table(
        {
            "order_num": profile.order_num.draw(rng, count),
            "order_id": order_id,
            "user_id": user_id,
            "order_timestamp": timestamp_text,
            "total_amount": profile.amount_cents.draw(rng, count) / 100,
            "date": np.full(count, date.isoformat()),
        }
    )
    # Line items repeat their order's customer, timestamp and date (as in the sample).
    per_order = profile.items_per_order.draw(rng, count)
    order_of_item = np.repeat(np.arange(count), per_order)
    item_count = len(order_of_item)
    first_of_order = np.repeat(np.cumsum(per_order) - per_order, per_order)
    items = _text_table(
        {
            "id": first_item_id + np.arange(item_count),
            "order_id": order_id[order_of_item],
            "user_id": user_id[order_of_item],
            "days_since_prior_order": profile.days_since_prior_order.draw(rng, item_count),
            "product_id": rng.integers(1, products + 1, item_count),
            "add_to_cart_order": np.arange(item_count) - first_of_order + 1,
            "reordered": (rng.random(item_count) < profile.reorder_rate).astype(np.int8),
            "order_timestamp": pc.take(timestamp_text, pa.array(order_of_item, pa.int64())),
            "date": np.full(item_count, date.isoformat()),
        }
    )
    return orders, items


def _text_table(columns: dict) -> pa.Table:
    """Every column as text, like a delivered file."""
    return pa.table({name: pa.array(values).cast(pa.string()) for name, values in columns.items()})


def _with_faults(
    table: pa.Table, faults: tuple[tuple[str, str], ...], rate: float, rng: np.random.Generator
) -> tuple[pa.Table, int]:
    if rate <= 0:
        return table, 0
    faulty = rng.random(table.num_rows) < rate
    kind = rng.integers(0, len(faults), table.num_rows)
    for index, (column, value) in enumerate(faults):
        mask = pa.array(faulty & (kind == index))
        position = table.schema.get_field_index(column)
        table = table.set_column(
            position, column, pc.if_else(mask, pa.scalar(value), table[column])
        )
    return table, int(faulty.sum())


def _write(table: pa.Table, path: Path) -> None:
    if path.suffix == ".xlsx":
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(table.column_names)
        for row in zip(*(table[c].to_pylist() for c in table.column_names), strict=True):
            sheet.append(row)
        workbook.save(path)
        return
    with path.open("wb") as f:
        # The header unquoted and values as they are, like the shop's own exports.
        f.write((",".join(table.column_names) + "\n").encode())
        options = pacsv.WriteOptions(include_header=False, quoting_style="none")
        pacsv.write_csv(table, f, options)
