"""The ingestion Glue job's entry point against moto S3, Glue and CloudWatch."""

from datetime import UTC, datetime, timedelta

import pytest

from lakehouse.aws import s3_ingest
from lakehouse.aws.s3_ingest import JobSettingError, main, parse_settings
from lakehouse.warehouse.tables import count_rows

pytestmark = pytest.mark.aws

SAMPLE_ORDERS = "data/sample/orders"
ARGS = [
    "--raw_bucket", "raw", "--warehouse", "s3://lake/warehouse", "--environment", "test",
    "--database_prefix", "test_",  # as the template passes it: <EnvironmentName>_
    "--JOB_ID", "j_1",  # Glue's own arguments are ignored
]  # fmt: skip


@pytest.fixture
def landing(aws, sample):
    """Buckets and the environment's Bronze database; returns put(key, body) for the raw
    bucket."""
    s3 = aws("s3")
    for bucket in ("raw", "lake"):
        s3.create_bucket(Bucket=bucket)
    aws("glue").create_database(DatabaseInput={"Name": "test_bronze"})
    orders = sorted((sample / "orders").glob("*.csv"))

    def put(key: str, body: bytes) -> None:
        s3.put_object(Bucket="raw", Key=key, Body=body)

    put.orders = [p.read_bytes() for p in orders]
    return put


def keys(s3, prefix: str) -> list[str]:
    return sorted(
        o["Key"] for o in s3.list_objects_v2(Bucket="raw", Prefix=prefix).get("Contents", [])
    )


def metric_sum(cloudwatch, name: str) -> float:
    now = datetime.now(UTC)
    points = cloudwatch.get_metric_statistics(
        Namespace="Lakehouse",
        MetricName=name,
        Dimensions=[
            {"Name": "Environment", "Value": "test"},
            {"Name": "Dataset", "Value": "orders"},
        ],
        StartTime=now - timedelta(hours=1),
        EndTime=now + timedelta(hours=1),
        Period=7200,
        Statistics=["Sum"],
    )["Datapoints"]
    return sum(p["Sum"] for p in points)


def test_loads_archives_rejects_and_publishes(aws, landing):
    landing("incoming/orders/2025-04-01.csv", landing.orders[0])
    landing("incoming/orders/day2/2025-04-02.csv", landing.orders[1])
    landing("incoming/orders/copy-of-day1.csv", landing.orders[0])
    landing(
        "incoming/orders/no-amount.csv",
        b"order_num,order_id,user_id,order_timestamp,date\n1,2,3,x,y\n",
    )
    landing("incoming/orders/header-only.csv", landing.orders[0].splitlines(keepends=True)[0])
    landing("incoming/orders/.hidden", b"not a raw file")
    landing("incoming/products/p.csv", b"product_id\n")  # another dataset's file stays

    main(["--dataset", "orders", "--run_id", "run-1", *ARGS])

    s3 = aws("s3")
    assert keys(s3, "incoming/") == ["incoming/orders/.hidden", "incoming/products/p.csv"]
    assert keys(s3, "archive/") == [
        "archive/run-1/orders/2025-04-01.csv",
        "archive/run-1/orders/copy-of-day1.csv",
        "archive/run-1/orders/day2/2025-04-02.csv",
        "archive/run-1/orders/header-only.csv",
    ]
    assert keys(s3, "rejected/") == [
        "rejected/run-1/orders/no-amount.csv",
        "rejected/run-1/orders/no-amount.csv.error.txt",
    ]
    note = s3.get_object(Bucket="raw", Key="rejected/run-1/orders/no-amount.csv.error.txt")
    note = note["Body"].read().decode()
    assert "s3://raw/incoming/orders/no-amount.csv" in note
    assert "missing required column(s) total_amount" in note

    # the environment's database, its files at WAREHOUSE/<database>/<table> as dbt-glue's
    assert count_rows("s3://lake/warehouse", "test_bronze", "orders") == 1000
    assert count_rows("s3://lake/warehouse", "bronze", "orders") is None
    # no table shared with the other datasets' jobs, which run at the same time (the local
    # engine's registry, WAREHOUSE/meta/tables, made them fail each other's commits)
    lake = aws("s3").list_objects_v2(Bucket="lake", Prefix="warehouse/")["Contents"]
    assert {o["Key"].split("/")[2] for o in lake} == {"orders"}
    assert [d["Name"] for d in aws("glue").get_databases()["DatabaseList"]] == ["test_bronze"]
    table = aws("glue").get_table(DatabaseName="test_bronze", Name="orders")["Table"]
    assert table["Parameters"]["table_type"] == "DELTA"
    assert table["StorageDescriptor"]["Location"] == "s3://lake/warehouse/test_bronze/orders"
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]][-4:] == [
        "_source_file", "_file_hash", "_row_number", "_loaded_at",
    ]  # fmt: skip

    cloudwatch = aws("cloudwatch")
    expected = {
        "Files": 5,
        "FilesLoaded": 2,
        "FilesSkipped": 1,
        "FilesRejected": 1,
        "RowsLoaded": 1000,
    }
    assert {name: metric_sum(cloudwatch, name) for name in expected} == expected


def test_a_redelivered_file_is_archived_without_loading_again(aws, landing):
    landing("incoming/orders/2025-04-01.csv", landing.orders[0])
    main(["--dataset", "orders", "--run_id", "run-1", *ARGS])
    landing("incoming/orders/2025-04-01.csv", landing.orders[0])

    settings = parse_settings(["--dataset", "orders", "--run_id", "run-2", *ARGS])
    results = s3_ingest.ingest(settings, aws("s3"), aws("glue"), aws("cloudwatch"))

    assert [(r.outcome, r.detail) for r in results] == [
        ("skipped", "same content as an earlier run")
    ]
    assert keys(aws("s3"), "archive/run-2/") == ["archive/run-2/orders/2025-04-01.csv"]
    assert count_rows("s3://lake/warehouse", "test_bronze", "orders") == 500


def test_a_job_failing_half_way_commits_nothing_moves_nothing_and_the_next_loads_all(
    aws, landing, monkeypatch
):
    landing("incoming/orders/2025-04-01.csv", landing.orders[0])
    landing("incoming/orders/2025-04-02.csv", landing.orders[1])
    s3 = aws("s3")
    real_download = s3.download_file

    def lost_at_day2(bucket, key, filename):
        if key.endswith("2025-04-02.csv"):
            raise ConnectionError("connection reset")  # day 1's rows already streamed
        real_download(bucket, key, filename)

    monkeypatch.setattr(s3, "download_file", lost_at_day2)
    settings = parse_settings(["--dataset", "orders", "--run_id", "run-1", *ARGS])
    with pytest.raises(ConnectionError):
        s3_ingest.ingest(settings, s3, aws("glue"), aws("cloudwatch"))
    assert keys(s3, "archive/") == []
    assert count_rows("s3://lake/warehouse", "test_bronze", "orders") == 0

    monkeypatch.setattr(s3, "download_file", real_download)
    main(["--dataset", "orders", "--run_id", "run-2", *ARGS])
    assert keys(s3, "incoming/") == []
    assert count_rows("s3://lake/warehouse", "test_bronze", "orders") == 1000


BAD_PARAMETERS = {
    "--dataset 'customers' is not a dataset; expected one of products, orders, order_items": [
        "--dataset", "customers", *ARGS,
    ],
    "--warehouse '/tmp/w' must be an s3:// URI": [
        "--dataset", "orders", "--raw_bucket", "raw", "--warehouse", "/tmp/w", "--environment", "t",
    ],
    "--raw_prefix 'in' must end with '/'": ["--dataset", "orders", "--raw_prefix", "in", *ARGS],
    **{
        f"--database_prefix '{prefix}' must be empty or lowercase letters, digits and "
        "underscores, starting with a letter and ending with '_' (e.g. prod_)": [
            "--dataset", "orders", *ARGS, "--database_prefix", prefix,
        ]
        for prefix in ("prod", "prod-eu_", "Prod_", "_")
    },
}  # fmt: skip


@pytest.mark.parametrize(("message", "argv"), BAD_PARAMETERS.items())
def test_bad_job_parameters_are_named(argv, message):
    with pytest.raises(JobSettingError) as error:
        parse_settings(argv)
    assert str(error.value) == message
