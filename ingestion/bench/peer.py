"""The peer: the same dbt models on PySpark with a local JVM (dbt-spark's session method).

What differs from the local pipeline, and why:
- Parquet instead of Delta: Delta's jars cannot be downloaded here. Hence no MERGE: Silver
  is built from scratch only (incremental strategy `append`), and the product snapshot,
  which needs Delta, is left out.
- Ingestion is Spark's own CSV reader writing Bronze as Parquet, with the same columns as
  text and the same load metadata, except that `_file_hash` hashes the file's path (not its
  bytes) and `_row_number` is unique per table (not counted from 1 in each file); files
  already loaded are not skipped (every build starts from an empty warehouse).
- Catalog: the session's own (Hive support, a Derby metastore in the scratch folder), so
  the local registry hooks are not needed; they only act on Sail (`sail__` macros).
- Source freshness, the quality report and maintenance are not run.
- Spark settings a user of a 2-core laptop would choose: local[*], 6 GB for the driver,
  8 shuffle partitions.
"""

import os
import tempfile
from pathlib import Path

import yaml

from ingestion import dbt
from ingestion.datasets import DATASETS

DRIVER_MEMORY = "6g"  # 10M line items do not fit Spark's default of 1g
# Spark's default of 200 shuffle partitions is made for clusters; a handful suits 2 cores
# (each test query would otherwise schedule hundreds of tasks).
SHUFFLE_PARTITIONS = "8"


def profile(folder: Path) -> Path:
    """A profiles.yml with the peer's one target; return its folder."""
    target = {"type": "spark", "method": "session", "host": "NA", "schema": "default", "threads": 1}
    folder.mkdir(parents=True, exist_ok=True)
    content = {"lakehouse": {"target": "peer", "outputs": {"peer": target}}}
    (folder / "profiles.yml").write_text(yaml.safe_dump(content))
    return folder


def start_session(scratch: Path):
    """A local JVM Spark session with Hive support, as dbt-spark's session method makes it."""
    from pyspark.sql import SparkSession

    os.environ.pop("SPARK_REMOTE", None)
    return (
        SparkSession.builder.master("local[*]")
        .config("spark.driver.memory", DRIVER_MEMORY)
        .config("spark.sql.warehouse.dir", str(scratch / "spark-warehouse"))
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={scratch}")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", SHUFFLE_PARTITIONS)
        .enableHiveSupport()
        .getOrCreate()
    )


def ingest(spark, raw: Path, warehouse: Path) -> None:
    """Every CSV of RAW/<dataset>/ into bronze.<dataset>, all columns as text."""
    from pyspark.sql import functions as F

    spark.sql("create schema if not exists bronze")
    for name, dataset in DATASETS.items():
        frame = (
            spark.read.option("header", True)
            .option("inferSchema", False)
            .csv(str(raw / name))
            .select(*dataset.required_columns)
            .withColumn("_source_file", F.input_file_name())
            .withColumn("_file_hash", F.sha2(F.input_file_name(), 256))
            .withColumn("_row_number", F.monotonically_increasing_id())
            .withColumn("_loaded_at", F.current_timestamp())
        )
        (
            frame.write.format("parquet")
            .mode("overwrite")
            .option("path", str(warehouse / "bronze" / name))
            .saveAsTable(f"bronze.{name}")
        )


def build(warehouse: Path, target_dir: Path) -> dbt.DbtOutcome:
    """`dbt build` of every model and test except the snapshot, writing Parquet."""
    os.environ["LAKEHOUSE_WAREHOUSE"] = str(warehouse)
    os.environ["DBT_TARGET_PATH"] = str(target_dir)
    profiles = profile(Path(tempfile.mkdtemp(prefix="peer-profile-")))
    args = [
        "build",
        "--profiles-dir",
        str(profiles),
        "--vars",
        "{file_format: parquet}",
        "--exclude",
        "resource_type:snapshot",
    ]
    return dbt.invoke(args)
