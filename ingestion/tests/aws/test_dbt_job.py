"""The dbt Glue job's parts that run without Glue: project zip, environment, selection,
Athena registration and the quarantine metric. (`dbt build --target glue` itself needs Glue
interactive sessions, which moto does not implement.)"""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from ingestion.aws import dbt_job
from ingestion.aws.s3_ingest import JobSettingError
from ingestion.dbt import PROJECT_DIR

# The README's command for the project zip.
PROJECT_FILES = [
    "dbt_project.yml", "packages.yml", "package-lock.yml", "profiles", "models", "macros",
    "tests", "seeds", "snapshots", "packages",
]  # fmt: skip
ARGS = [
    "--project_zip", "s3://artifacts/dbt/project.zip", "--warehouse", "s3://lake/warehouse",
    "--glue_role_arn", "arn:aws:iam::123456789012:role/lakehouse-glue", "--environment", "test",
]  # fmt: skip


def test_the_project_zip_builds_on_glue_without_unit_tests(aws, tmp_path):
    zip_path = tmp_path / "project.zip"
    subprocess.run(
        ["git", "archive", "--format=zip", "-o", str(zip_path), "HEAD", *PROJECT_FILES],
        cwd=PROJECT_DIR,
        check=True,
    )
    s3 = aws("s3")
    s3.create_bucket(Bucket="artifacts")
    s3.upload_file(str(zip_path), "artifacts", "dbt/project.zip")
    settings = dbt_job.parse_settings(ARGS)

    project = dbt_job.fetch_project(s3, settings.project_zip, tmp_path)

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT")}
    env |= dbt_job.dbt_environment(settings, project) | {"AWS_REGION": "us-east-1"}
    dbt = str(Path(sys.executable).parent / "dbt")
    subprocess.run([dbt, "deps"], cwd=project, env=env, check=True, capture_output=True)
    selection = dbt_job.BUILD[1:]  # the build's target and exclusions, listed instead of run
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


def test_after_the_build_athena_reads_delta_and_quarantine_is_published(aws):
    glue, s3 = aws("glue"), aws("s3")
    s3.create_bucket(Bucket="lake")
    for schema in dbt_job.ATHENA_SCHEMAS:
        glue.create_database(DatabaseInput={"Name": schema})
    spark_delta = {"spark.sql.sources.provider": "delta"}
    glue.create_table(
        DatabaseName="gold",
        TableInput={
            "Name": "daily_sales",
            "Parameters": spark_delta,
            "TableType": "EXTERNAL_TABLE",
        },
    )
    glue.create_table(
        DatabaseName="gold", TableInput={"Name": "a_view", "TableType": "VIRTUAL_VIEW"}
    )
    rows = pa.table({"order_id": ["1", "2", "3"], "_reason": ["a", "b", "c"]})
    write_deltalake("s3://lake/warehouse/quarantine/orders", rows)

    dbt_job.after_build(dbt_job.parse_settings(ARGS), glue, aws("cloudwatch"))

    gold = {
        t["Name"]: t.get("Parameters", {})
        for t in glue.get_tables(DatabaseName="gold")["TableList"]
    }
    assert gold["daily_sales"] == {**spark_delta, "table_type": "DELTA"}
    assert "table_type" not in gold["a_view"]
    published = aws("cloudwatch").list_metrics(Namespace="Lakehouse", MetricName="RowsQuarantined")
    assert len(published["Metrics"]) == 3
    assert dbt_job.quarantined_rows("s3://lake/warehouse") == {
        "products": 0, "orders": 3, "order_items": 0,
    }  # fmt: skip
