"""Typical queries on the built tables, timed before and after Delta maintenance."""

import statistics
import time
from pathlib import Path

from deltalake import DeltaTable

from lakehouse.warehouse.maintenance import MAINTENANCE_OPERATIONS
from lakehouse.warehouse.tables import query, table_path

# What a dashboard asks: one customer's figures (Gold), one product's sales per day (the
# Silver rows behind product_performance, which filters on its Z-order column).
QUERIES = {
    "gold: one customer": (
        ("gold", "customer_insights"),
        "select * from t where user_id = {user_id}",
    ),
    "silver: one product per day": (
        ("silver", "order_items"),
        "select order_date, count(*) as units from t where product_id = {product_id} "
        "group by order_date",
    ),
}
REPEAT = 5


def before_maintenance(delta: DeltaTable) -> int:
    """The version written last by anything but maintenance."""
    return next(
        entry["version"]
        for entry in delta.history()
        if entry["operation"] not in MAINTENANCE_OPERATIONS
    )


def time_queries(warehouse: Path, user_id: int, product_id: int) -> list[dict]:
    """Median seconds and files of each query, on the table before and after maintenance."""
    timings = []
    for label, ((schema, table), sql) in QUERIES.items():
        location = str(table_path(warehouse, schema, table))
        latest = DeltaTable(location)
        versions = {"before": before_maintenance(latest), "after": latest.version()}
        row: dict[str, str | int | float] = {"query": label, "table": f"{schema}.{table}"}
        for when, version in versions.items():
            delta = DeltaTable(location, version=version)
            seconds = []
            for _ in range(REPEAT):
                started = time.perf_counter()
                query(sql.format(user_id=user_id, product_id=product_id), t=delta)
                seconds.append(time.perf_counter() - started)
            row[f"files_{when}"] = len(delta.file_uris())
            row[f"seconds_{when}"] = statistics.median(seconds)
        timings.append(row)
    return timings
