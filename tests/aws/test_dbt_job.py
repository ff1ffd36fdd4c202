"""The dbt Glue job's parts that run without Glue: its imports, project zip, environment,
selection, the order of its dbt steps, Athena registration and the quarantine metric. (dbt
itself is stood in for here: executing `dbt build --target glue` needs Glue interactive
sessions, which moto does not implement.)"""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import boto3
import pyarrow as pa
import pytest
from deltalake import write_deltalake

from lakehouse.aws import catalog, dbt_job
from lakehouse.aws.dbt_job import JobSettingError
from lakehouse.transform import dbt_runner
from lakehouse.transform.dbt_runner import DbtOutcome
from tests.aws.glue_box.deployment import artifact

pytestmark = pytest.mark.aws

ARGS = [
    "--project_zip", "s3://artifacts/dbt/project.zip", "--warehouse", "s3://lake/warehouse",
    "--glue_role_arn", "arn:aws:iam::123456789012:role/lakehouse-glue", "--environment", "test",
]  # fmt: skip


@pytest.mark.e2e  # dbt parses the project three times
def test_the_project_zip_builds_on_glue_without_unit_tests(aws, tmp_path):
    zip_path = artifact("dbt-project", tmp_path / "project.zip")  # as aws/deploy.sh builds it
    s3 = aws("s3")
    s3.create_bucket(Bucket="artifacts")
    s3.upload_file(str(zip_path), "artifacts", "dbt/project.zip")
    settings = dbt_job.parse_settings(ARGS)

    project = dbt_job.fetch_project(s3, settings.project_zip, tmp_path)

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT")}
    env |= dbt_job.dbt_environment(settings, project, "us-east-1")
    dbt = str(Path(sys.executable).parent / "dbt")
    subprocess.run([dbt, "deps"], cwd=project, env=env, check=True, capture_output=True)
    selection = dbt_job.BUILD[1:]  # the build's target and selector, listed instead of run
    listed = subprocess.run(
        [dbt, "ls", *selection, "--output", "json", "--output-keys", "resource_type"],
        cwd=project, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stdout[-3000:]
    kinds = {line for line in listed.stdout.splitlines() if line.startswith("{")}
    assert '{"resource_type": "model"}' in kinds and '{"resource_type": "test"}' in kinds
    assert '{"resource_type": "unit_test"}' not in kinds
    with_unit_tests = subprocess.run(
        [dbt, "ls", "--target", "glue", "--resource-type", "unit_test"],
        cwd=project, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert "unit_test:" in with_unit_tests.stdout  # the exclusion has something to exclude
    without_region = {k: v for k, v in env.items() if k not in dbt_job.REGION_VARIABLES}
    listed = subprocess.run(
        [dbt, "ls", *selection], cwd=project, env=without_region, capture_output=True, text=True
    )  # the profile guesses no region
    assert listed.returncode != 0 and "AWS_REGION" in listed.stdout, listed.stdout[-3000:]


def test_a_zip_without_a_dbt_project_is_named(aws, tmp_path):
    s3 = aws("s3")
    s3.create_bucket(Bucket="artifacts")
    s3.put_object(Bucket="artifacts", Key="dbt/project.zip", Body=_zip_of(tmp_path, "x.txt"))
    with pytest.raises(JobSettingError, match="'s3://artifacts/dbt/project.zip' holds no dbt_"):
        dbt_job.fetch_project(s3, "s3://artifacts/dbt/project.zip", tmp_path)


def _zip_of(folder: Path, name: str) -> bytes:
    path = folder / "other.zip"
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr(name, "not a dbt project")
    return path.read_bytes()


def test_bad_parameters_are_named():
    with pytest.raises(JobSettingError, match="--glue_workers '1' must be a whole number >= 2"):
        dbt_job.parse_settings([*ARGS, "--glue_workers", "1"])
    with pytest.raises(JobSettingError, match="--warehouse 'lake' must be an s3:// URI"):
        dbt_job.parse_settings([*ARGS, "--warehouse", "lake"])


@pytest.mark.parametrize("prefix", ["dev", "Dev_", "dev-1_", "_dev_", "1dev_"])
def test_a_database_prefix_glue_cannot_hold_is_named(prefix):
    with pytest.raises(JobSettingError, match=f"--database_prefix '{prefix}' must be empty or"):
        dbt_job.parse_settings([*ARGS, "--database_prefix", prefix])


def test_the_database_prefix_reaches_dbt_and_names_the_databases():
    assert dbt_job.parse_settings(ARGS).database("gold") == "gold"
    settings = dbt_job.parse_settings([*ARGS, "--database_prefix", "dev_2_"])
    assert settings.database("gold") == "dev_2_gold"
    environment = dbt_job.dbt_environment(settings, Path("project"), "eu-west-1")
    assert environment["LAKEHOUSE_DATABASE_PREFIX"] == "dev_2_"


def spark_delta_entry(database_location: str, table: str) -> dict:
    """A Delta table's catalog entry as Spark writes it to a Hive-compatible catalog (read off
    PySpark 3.5.9 + Delta 3.3.0): placeholder location, real path in the serde parameters."""
    return {
        "Name": table,
        "TableType": "EXTERNAL_TABLE",
        "StorageDescriptor": {
            "Columns": [{"Name": "col", "Type": "array<string>"}],
            "Location": f"{database_location}/{table}-__PLACEHOLDER__",
            "SerdeInfo": {
                "Parameters": {
                    "serialization.format": "1",
                    "path": f"{database_location}/{table}",
                }
            },
        },
        "Parameters": {
            "spark.sql.sources.provider": "delta",
            "spark.sql.sources.schema": '{"type":"struct","fields":[]}',
            "spark.sql.partitionProvider": "catalog",
            "spark.sql.create.version": "3.5.9",
            "transient_lastDdlTime": "1767225600",
        },
    }


def lake_with_spark_tables(aws, prefix: str = "") -> None:
    """Databases as the template makes them; tables as a dbt build on Glue leaves them."""
    glue = aws("glue")
    aws("s3").create_bucket(Bucket="lake")
    for schema in dbt_job.ATHENA_SCHEMAS:
        glue.create_database(DatabaseInput={"Name": f"{prefix}{schema}"})
        location = f"s3://lake/warehouse/{prefix}{schema}"
        table = {"quarantine": "orders", "gold": "daily_sales"}.get(schema, "orders")
        glue.create_table(
            DatabaseName=f"{prefix}{schema}", TableInput=spark_delta_entry(location, table)
        )
    rows = pa.table({"order_id": ["1", "2", "3"], "_reason": ["a", "b", "c"]})
    write_deltalake(f"s3://lake/warehouse/{prefix}quarantine/orders", rows)


def athena_view(glue, database: str, table: str) -> tuple[str | None, str | None]:
    """What Athena reads of a table: its location and table_type."""
    entry = glue.get_table(DatabaseName=database, Name=table)["Table"]
    location = entry.get("StorageDescriptor", {}).get("Location")
    return location, entry.get("Parameters", {}).get("table_type")


def test_after_the_build_athena_reads_delta_and_quarantine_is_published(aws):
    glue = aws("glue")
    lake_with_spark_tables(aws)
    glue.create_table(
        DatabaseName="gold", TableInput={"Name": "a_view", "TableType": "VIRTUAL_VIEW"}
    )
    parquet = {
        "Name": "a_parquet_table",
        "TableType": "EXTERNAL_TABLE",
        "StorageDescriptor": {"Location": "s3://lake/elsewhere/x-__PLACEHOLDER__"},
        "Parameters": {"spark.sql.sources.provider": "parquet"},
    }
    glue.create_table(DatabaseName="gold", TableInput=parquet)

    dbt_job.after_build(dbt_job.parse_settings(ARGS), glue, aws("cloudwatch"))

    for schema, table in [("silver", "orders"), ("quarantine", "orders"), ("gold", "daily_sales")]:
        location = f"s3://lake/warehouse/{schema}/{table}"
        assert athena_view(glue, schema, table) == (location, "DELTA")
    daily_sales = glue.get_table(DatabaseName="gold", Name="daily_sales")["Table"]
    spark = spark_delta_entry("s3://lake/warehouse/gold", "daily_sales")
    assert daily_sales["Parameters"] == {**spark["Parameters"], "table_type": "DELTA"}
    assert daily_sales["StorageDescriptor"]["SerdeInfo"] == spark["StorageDescriptor"]["SerdeInfo"]
    assert athena_view(glue, "gold", "a_view") == (None, None)
    assert athena_view(glue, "gold", "a_parquet_table") == (
        "s3://lake/elsewhere/x-__PLACEHOLDER__",
        None,
    )
    published = aws("cloudwatch").list_metrics(Namespace="Lakehouse", MetricName="RowsQuarantined")
    assert len(published["Metrics"]) == 3
    assert dbt_job.quarantined_rows(glue, "quarantine") == {
        "products": 0, "orders": 3, "order_items": 0,
    }  # fmt: skip


def test_a_table_spark_rebuilt_is_marked_again(aws):
    glue = aws("glue")
    lake_with_spark_tables(aws)
    assert catalog.mark_delta_tables_for_athena(glue, "gold") == ["daily_sales"]
    assert catalog.mark_delta_tables_for_athena(glue, "gold") == []  # already right

    rebuilt = spark_delta_entry("s3://lake/warehouse/gold", "daily_sales")
    glue.update_table(DatabaseName="gold", TableInput=rebuilt)  # a later run recreated it
    assert catalog.mark_delta_tables_for_athena(glue, "gold") == ["daily_sales"]
    assert athena_view(glue, "gold", "daily_sales") == (
        "s3://lake/warehouse/gold/daily_sales",
        "DELTA",
    )


def test_a_delta_entry_without_its_path_is_named_and_the_others_are_still_marked(aws):
    glue = aws("glue")
    lake_with_spark_tables(aws)
    lost = spark_delta_entry("s3://lake/warehouse/gold", "lost")
    del lost["StorageDescriptor"]["SerdeInfo"]["Parameters"]["path"]
    glue.create_table(DatabaseName="gold", TableInput=lost)

    with pytest.raises(catalog.UnlocatedDeltaTable, match="gold.lost is a Delta table with no"):
        catalog.mark_delta_tables_for_athena(glue, "gold")
    assert athena_view(glue, "gold", "daily_sales")[1] == "DELTA"


def test_marking_uses_the_prefixed_databases(aws):
    glue = aws("glue")
    lake_with_spark_tables(aws, prefix="dev_")
    settings = dbt_job.parse_settings([*ARGS, "--database_prefix", "dev_"])

    dbt_job.after_build(settings, glue, aws("cloudwatch"))

    assert athena_view(glue, "dev_gold", "daily_sales") == (
        "s3://lake/warehouse/dev_gold/daily_sales",
        "DELTA",
    )
    assert dbt_job.quarantined_rows(glue, "dev_quarantine")["orders"] == 3


@pytest.fixture
def dbt_calls(monkeypatch):
    """dbt stood in for: records each invocation (and each marking) in order; a step named in
    the returned `failing` dict fails with that message."""
    calls: list[str] = []
    failing: dict[str, str] = {}

    def invoke(args: list[str]) -> DbtOutcome:
        calls.append(" ".join(args))
        step = " ".join(args[:2]) if args[0] == "run-operation" else args[0]
        if step in failing:
            return DbtOutcome(False, {}, [failing[step]])
        return DbtOutcome(True, {}, [])

    def mark(glue, database: str) -> list[str]:
        calls.append(f"mark {database}")
        return real_mark(glue, database)

    real_mark = catalog.mark_delta_tables_for_athena
    monkeypatch.setattr(dbt_runner, "invoke", invoke)
    monkeypatch.setattr(catalog, "mark_delta_tables_for_athena", mark)
    return calls, failing


def test_a_successful_build_is_marked_then_maintained(aws, dbt_calls, tmp_path):
    calls, _ = dbt_calls
    lake_with_spark_tables(aws)

    dbt_job.run_dbt(dbt_job.parse_settings(ARGS), tmp_path, aws("glue"), aws("cloudwatch"))

    project = f"--project-dir {tmp_path}"
    assert calls == [
        f"deps {project}",
        f"build --target glue --selector production {project}",
        *[f"mark {schema}" for schema in dbt_job.ATHENA_SCHEMAS],
        f"run-operation maintain_tables --target glue {project}",
    ]


def test_a_failed_build_is_still_marked_then_fails_the_job_unmaintained(aws, dbt_calls, tmp_path):
    calls, failing = dbt_calls
    lake_with_spark_tables(aws)
    failing["build"] = "test.lakehouse.not_null_orders: Got 1 result"

    with pytest.raises(SystemExit, match="^dbt build failed: test.lakehouse.not_null_orders: Got"):
        dbt_job.run_dbt(dbt_job.parse_settings(ARGS), tmp_path, aws("glue"), aws("cloudwatch"))

    assert athena_view(aws("glue"), "gold", "daily_sales")[1] == "DELTA"
    published = aws("cloudwatch").list_metrics(Namespace="Lakehouse", MetricName="RowsQuarantined")
    assert len(published["Metrics"]) == 3
    assert [c.split()[0] for c in calls] == ["deps", "build"] + ["mark"] * len(
        dbt_job.ATHENA_SCHEMAS
    )


def test_a_failed_maintenance_fails_the_job_naming_it(aws, dbt_calls, tmp_path):
    _, failing = dbt_calls
    lake_with_spark_tables(aws)
    failing["run-operation maintain_tables"] = "OPTIMIZE failed"

    with pytest.raises(SystemExit, match="^dbt run-operation maintain_tables failed: OPTIMIZE"):
        dbt_job.run_dbt(dbt_job.parse_settings(ARGS), tmp_path, aws("glue"), aws("cloudwatch"))


@pytest.fixture
def restored_environ():
    """The job sets dbt's variables in its own environment; give the tests theirs back."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_the_job_gives_dbt_its_region_and_database_prefix(
    restored_environ, aws, dbt_calls, monkeypatch, tmp_path
):
    s3 = aws("s3")
    s3.create_bucket(Bucket="artifacts")
    s3.put_object(
        Bucket="artifacts", Key="dbt/project.zip", Body=_zip_of(tmp_path, "dbt_project.yml")
    )
    lake_with_spark_tables(aws, prefix="dev_")
    monkeypatch.delenv("AWS_REGION")  # the session's region (AWS_DEFAULT_REGION here) is used
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    seen: dict[str, str] = {}
    monkeypatch.setattr(
        dbt_runner, "invoke", lambda args: seen.update(os.environ) or DbtOutcome(True, {}, [])
    )

    dbt_job.main([*ARGS, "--database_prefix", "dev_"])

    assert seen["AWS_REGION"] == seen["AWS_DEFAULT_REGION"] == "us-east-1"
    assert seen["LAKEHOUSE_DATABASE_PREFIX"] == "dev_"
    assert seen["LAKEHOUSE_WAREHOUSE"] == "s3://lake/warehouse"
    assert athena_view(aws("glue"), "dev_gold", "daily_sales")[1] == "DELTA"


def test_the_region_comes_from_the_jobs_boto3_session(monkeypatch):
    for name in dbt_job.REGION_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    region = dbt_job.job_region(boto3.session.Session(region_name="eu-west-1"))
    environment = dbt_job.dbt_environment(dbt_job.parse_settings(ARGS), Path("p"), region)
    assert (environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"]) == ("eu-west-1",) * 2
    monkeypatch.setenv("AWS_REGION", "eu-central-1")  # one set for the job wins
    assert dbt_job.job_region(boto3.session.Session(region_name="eu-west-1")) == "eu-central-1"


def test_without_a_region_the_job_fails_naming_the_variables(monkeypatch, tmp_path):
    for name in dbt_job.REGION_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))  # nor a profile's region
    with pytest.raises(JobSettingError, match="set AWS_REGION or AWS_DEFAULT_REGION"):
        dbt_job.job_region(boto3.session.Session())
