"""One PySpark session configured as Glue 5.0 configures a session with `--datalake-formats
delta`: Spark 3.5, Delta Lake 3.3.0, S3 through the s3:// scheme, a Hive-compatible catalog.

Glue reads s3:// with EMRFS and keeps its catalog in the Glue Data Catalog; here S3A reads
moto's S3 under the same s3:// URIs, and the catalog is a Hive metastore kept in step with
moto's Glue catalog (catalog_sync.py). Delta's and Spark's defaults are sized for clusters
(200 shuffle partitions, 50 snapshot partitions, 10,000 listing tasks in VACUUM); on two
cores they are sized down, which changes no result.
"""

from pathlib import Path

from pyspark.sql import SparkSession

DELTA = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
}


def s3a_settings(endpoint: str) -> dict[str, str]:
    return {
        "spark.hadoop.fs.s3.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
        "spark.hadoop.fs.s3a.endpoint": endpoint,
        "spark.hadoop.fs.s3a.path.style.access": "true",
        "spark.hadoop.fs.s3a.connection.ssl.enabled": "false",
        "spark.hadoop.fs.s3a.aws.credentials.provider": (
            "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider"
        ),
        "spark.hadoop.fs.s3a.access.key": "testing",
        "spark.hadoop.fs.s3a.secret.key": "testing",
        "spark.hadoop.fs.s3a.change.detection.mode": "none",
    }


def start(jars: Path, s3_endpoint: str, work: Path) -> SparkSession:
    missing = [name for name in ("delta-spark_2.12-3.3.0", "hadoop-aws-3.3.4")
               if not list(jars.glob(f"{name}.jar"))]  # fmt: skip
    if missing:
        raise SystemExit(f"{jars} lacks {', '.join(missing)}: run `make jars`")
    builder = (
        SparkSession.builder.master("local[2]")
        .appName("glue-box")
        .config("spark.jars", ",".join(str(p) for p in sorted(jars.glob("*.jar"))))
        .config("spark.driver.memory", "3g")
        .config("spark.sql.warehouse.dir", str(work / "spark-warehouse"))
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={work}")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.host", "127.0.0.1")  # loopback only: the network is not ours
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.databricks.delta.snapshotPartitions", "2")
        .config("spark.sql.sources.parallelPartitionDiscovery.parallelism", "2")
    )
    for key, value in {**DELTA, **s3a_settings(s3_endpoint)}.items():
        builder = builder.config(key, value)
    spark = builder.enableHiveSupport().getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
