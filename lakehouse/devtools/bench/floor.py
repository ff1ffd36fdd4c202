"""The floor: the least work any engine must do with the landed files. Arrow reads every
CSV and writes it as Parquet, orders and line items partitioned by their date."""

from pathlib import Path

import pyarrow.dataset as ds

from lakehouse.datasets import DATASETS

PARTITIONED = ("orders", "order_items")


def build(raw: Path, out: Path) -> None:
    """Write RAW/<dataset>/*.csv as Parquet under OUT/<dataset>."""
    for name in DATASETS:
        source = ds.dataset(raw / name, format="csv")
        ds.write_dataset(
            source,
            out / name,
            format="parquet",
            partitioning=["date"] if name in PARTITIONED else None,
            partitioning_flavor="hive",
            existing_data_behavior="overwrite_or_ignore",
            max_partitions=100_000,
        )
