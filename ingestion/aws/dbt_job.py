"""Glue job: `dbt build --target glue` of the dbt project kept in the artifacts bucket.

The job is a Glue 5 Python job (Python 3.11, like CI) that only drives dbt: dbt-glue runs the
SQL in a Glue interactive session with Delta. The project is a zip of the repository's dbt
files (`git archive`, see README "Production on AWS"), profiles/ included: the `glue` target
reads its settings from the environment variables this job sets from its parameters. Unit
tests are left out: they test the models' logic and run in CI. After the build, the Delta
tables Spark registered get `table_type=DELTA` so Athena reads them natively, and the
quarantined rows are published to CloudWatch.

  --project_zip s3://artifacts/dbt/project.zip --warehouse s3://lake/warehouse
  --glue_role_arn arn:aws:iam::...:role/... --environment prod [--glue_workers 2]
"""

import argparse
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import boto3

from ingestion import dbt
from ingestion.aws import catalog, metrics
from ingestion.aws.s3_ingest import JobSettingError
from ingestion.datasets import DATASETS
from ingestion.warehouse import count_rows

BUILD = ["build", "--target", "glue", "--exclude-resource-type", "unit_test"]
ATHENA_SCHEMAS = ("silver", "quarantine", "gold")


@dataclass(frozen=True)
class Settings:
    project_zip: str
    warehouse: str
    glue_role_arn: str
    glue_workers: int
    environment: str


def parse_settings(argv: list[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project_zip", required=True)
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--glue_role_arn", required=True)
    parser.add_argument("--glue_workers", default="2")
    parser.add_argument("--environment", required=True)
    args, _ = parser.parse_known_args(argv)  # Glue adds arguments of its own
    for name in ("project_zip", "warehouse"):
        if not getattr(args, name).startswith("s3://"):
            raise JobSettingError(f"--{name} '{getattr(args, name)}' must be an s3:// URI")
    if not args.glue_workers.isdigit() or int(args.glue_workers) < 2:
        raise JobSettingError(f"--glue_workers '{args.glue_workers}' must be a whole number >= 2")
    return Settings(
        args.project_zip,
        args.warehouse.rstrip("/"),
        args.glue_role_arn,
        int(args.glue_workers),
        args.environment,
    )


def fetch_project(s3, project_zip: str, folder: Path) -> Path:
    """Download and unpack the project zip into `folder`; return the project folder."""
    bucket, _, key = project_zip.removeprefix("s3://").partition("/")
    archive = folder / "project.zip"
    s3.download_file(bucket, key, str(archive))
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(folder / "project")
    project = folder / "project"
    if not (project / "dbt_project.yml").is_file():
        raise JobSettingError(f"--project_zip '{project_zip}' holds no dbt_project.yml at its root")
    return project


def dbt_environment(settings: Settings, project: Path) -> dict[str, str]:
    """The variables `profiles/profiles.yml` and `dbt_project.yml` read on the glue target."""
    return {
        "DBT_PROFILES_DIR": str(project / "profiles"),
        "LAKEHOUSE_WAREHOUSE": settings.warehouse,
        "LAKEHOUSE_GLUE_ROLE_ARN": settings.glue_role_arn,
        "LAKEHOUSE_GLUE_WORKERS": str(settings.glue_workers),
    }


def quarantined_rows(warehouse: str) -> dict[str, int]:
    """Rows in quarantine per dataset after the build (quarantine is rebuilt every run)."""
    return {name: count_rows(warehouse, "quarantine", name) or 0 for name in DATASETS}


def after_build(settings: Settings, glue, cloudwatch) -> None:
    for schema in ATHENA_SCHEMAS:
        catalog.mark_delta_tables_for_athena(glue, schema)
    for dataset, rows in quarantined_rows(settings.warehouse).items():
        metrics.publish(cloudwatch, settings.environment, dataset, {"RowsQuarantined": rows})


def main(argv: list[str] | None = None) -> None:
    settings = parse_settings(argv)
    with tempfile.TemporaryDirectory() as tmp:
        project = fetch_project(boto3.client("s3"), settings.project_zip, Path(tmp))
        os.environ.update(dbt_environment(settings, project))
        for args in (["deps"], BUILD):
            outcome = dbt.invoke([*args, "--project-dir", str(project)])
            if not outcome.success:
                # Glue marks the run FAILED with this message; Step Functions reports it.
                detail = "; ".join(outcome.failures) or outcome.exception or "see the job log"
                raise SystemExit(f"dbt {args[0]} failed: {detail}")
    after_build(settings, boto3.client("glue"), boto3.client("cloudwatch"))


if __name__ == "__main__":
    main()
