"""The peer: the same dbt models on PySpark with a local JVM (dbt-spark's session method),
writing Delta Lake with the versions of AWS Glue 5.0: Spark 3.5.4 (the venv's PySpark) and
Delta 3.3.0 (`make jars` puts its jars in .venv/jars).

Like the local pipeline it keeps its tables between runs: a second run on the same scratch
folder ingests only the files it has not loaded yet and `dbt build` merges them (Silver
incremental with MERGE, the snapshot too), so the peer measures the incremental day as well.

What differs from the local pipeline, and why:
- Ingestion is Spark's own CSV reader appending to Bronze as Delta (one commit per dataset
  and run), with the same columns as text and the same load metadata, except that
  `_file_hash` hashes the file's path (not its bytes) and `_row_number` is unique per load
  (not counted from 1 in each file). A file counts as loaded when its name is in Bronze (the
  local pipeline decides by content hash).
- Catalog: the session's own (Hive support, a Derby metastore in the scratch folder, which
  outlives the process), so the local registry hooks are not needed; they only act on Sail
  (`sail__` macros), as does the confined merge of `macros/sail/sail_merge.sql`: the peer merges
  with dbt-spark's plain MERGE, as Glue does.
- Source freshness, the quality report and maintenance are not run.
- Spark settings a user of a 2-core laptop would choose: local[*], 6 GB for the driver and
  a handful of partitions where Spark and Delta default to cluster sizes (below).
"""

import os
import sys
import tempfile
from pathlib import Path

import yaml

from lakehouse.datasets import DATASETS
from lakehouse.transform import dbt_runner

# `make jars` (aws/glue5/pom.xml) copies Delta 3.3.0 and its dependencies here.
JARS = Path(sys.prefix) / "jars"
SEED_SCHEMA = "reference"  # dbt_project.yml's seeds: +schema
DRIVER_MEMORY = "6g"  # 10M line items do not fit Spark's default of 1g
# Spark and Delta size their defaults for clusters; on 2 cores each of these makes
# hundreds or thousands of tiny tasks per query or commit.
SETTINGS = {
    # Spark's 200 shuffle partitions: each test query would schedule hundreds of tasks
    "spark.sql.shuffle.partitions": "8",
    # Delta reads its log into 50 partitions for every snapshot of a table it plans
    "spark.databricks.delta.snapshotPartitions": "2",
    # listing a table's files (VACUUM, partition discovery) runs up to 10,000 tasks
    "spark.sql.sources.parallelPartitionDiscovery.parallelism": "8",
    # the glue target's session settings (profiles/profiles.yml): timestamps read as on Glue
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
}


def jars() -> list[Path]:
    """The Delta jars for `spark.jars`; an error that says how to get them if missing."""
    found = sorted(JARS.glob("*.jar"))
    if not any(j.name.startswith("delta-spark_") for j in found):
        raise FileNotFoundError(
            f"no Delta jars in {JARS}: run `make jars` (Java 17 and Maven, aws/glue5/pom.xml)"
        )
    return found


def profile(folder: Path) -> Path:
    """A profiles.yml with the peer's one target; return its folder."""
    target = {"type": "spark", "method": "session", "host": "NA", "schema": "default", "threads": 1}
    folder.mkdir(parents=True, exist_ok=True)
    content = {"lakehouse": {"target": "peer", "outputs": {"peer": target}}}
    (folder / "profiles.yml").write_text(yaml.safe_dump(content))
    return folder


def start_session(scratch: Path):
    """A local JVM Spark session with Delta and Hive support; dbt-spark's session method
    picks it up (`getOrCreate`)."""
    from pyspark.sql import SparkSession

    os.environ.pop("SPARK_REMOTE", None)
    builder = (
        SparkSession.builder.master("local[*]")
        .config("spark.jars", ",".join(str(j) for j in jars()))
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config(
            "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog"
        )
        .config("spark.driver.memory", DRIVER_MEMORY)
        .config("spark.sql.warehouse.dir", str(scratch / "spark-warehouse"))
        # the metastore lives in the scratch folder, so a second run finds its tables
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={scratch}")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")  # progress bars flood the log
    )
    for key, value in SETTINGS.items():
        builder = builder.config(key, value)
    spark = builder.enableHiveSupport().getOrCreate()
    # Delta logs every table's whole snapshot as a warning when a commit's checksum is
    # recomputed; errors are what the log is read for
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def ingest(spark, raw: Path, warehouse: Path) -> dict[str, int]:
    """Append every CSV of RAW/<dataset>/ not yet in bronze.<dataset>, all columns as text;
    return the number of files loaded per dataset."""
    from pyspark.sql import functions as F

    spark.sql("create schema if not exists bronze")
    loaded = {}
    for name, dataset in DATASETS.items():
        table = f"bronze.{name}"
        files = sorted((raw / name).glob("*.csv"))
        if spark.catalog.tableExists(table):
            # `_source_file` is Spark's URI of the file; its last part is the file's name
            sources = spark.table(table).select("_source_file").distinct().collect()
            seen = {row[0].rsplit("/", 1)[-1] for row in sources}
            files = [f for f in files if f.name not in seen]
        loaded[name] = len(files)
        if not files:
            continue
        frame = (
            spark.read.option("header", True)
            .option("inferSchema", False)
            .csv([str(f) for f in files])
            .select(*dataset.required_columns)
            .withColumn("_source_file", F.input_file_name())
            .withColumn("_file_hash", F.sha2(F.input_file_name(), 256))
            .withColumn("_row_number", F.monotonically_increasing_id())
            .withColumn("_loaded_at", F.current_timestamp())
        )
        (
            frame.write.format("delta")
            .mode("append")
            .option("path", str(warehouse / "bronze" / name))
            .saveAsTable(table)
        )
    return loaded


def empty_seeds(spark) -> None:
    """Empty the seed tables a previous run left. dbt-spark re-seeds by DROP and CREATE; a
    DROP leaves an external table's Delta files, which the CREATE at the same location
    attaches again, so the rows would double (macros/sail/sail_seeds.sql does this on Sail)."""
    for seed in sorted((dbt_runner.PROJECT_DIR / "seeds").glob("*.csv")):
        table = f"{SEED_SCHEMA}.{seed.stem}"
        if spark.catalog.tableExists(table):
            spark.sql(f"delete from {table}")


def build(spark, warehouse: Path, target_dir: Path) -> dbt_runner.DbtOutcome:
    """`dbt build` of every model, seed, snapshot and data test, as the local pipeline runs it."""
    empty_seeds(spark)
    os.environ["LAKEHOUSE_WAREHOUSE"] = str(warehouse)
    os.environ["DBT_TARGET_PATH"] = str(target_dir)
    profiles = profile(Path(tempfile.mkdtemp(prefix="peer-profile-")))
    installed = dbt_runner.install_packages()  # the local run installs them too, when it runs first
    if not installed.success:
        return installed
    return dbt_runner.invoke(["build", *dbt_runner.SCHEDULED, "--profiles-dir", str(profiles)])
