"""Glue job: `dbt build --target glue` of the dbt project kept in the artifacts bucket, then
Delta maintenance (`dbt run-operation maintain_tables`).

The job is a Glue 5 Python job (Python 3.11, like CI) that only drives dbt: dbt-glue runs the
SQL in a Glue interactive session with Delta. The project is a zip of the repository's dbt
files (`git archive`, see README "Production on AWS"), profiles/ included: the `glue` target
reads its settings from the environment variables this job sets from its parameters and its
region. Unit tests are left out: they test the models' logic and run in CI.

After the build, whether it passed or not (a failed test must not leave the tables it rebuilt
unreadable), the Delta tables Spark registered in the databases of ATHENA_SCHEMAS are
pointed at their Delta location with `table_type=DELTA`, so Athena reads them, and the
quarantined rows are published to CloudWatch. Only a successful build is followed by
maintenance (OPTIMIZE / ZORDER, VACUUM): after a failure the files stay as they
are for diagnosis and time travel, and the next successful run maintains them. The job fails
with the message of the first dbt step that failed.

  --project_zip s3://artifacts/code/<commit>/dbt/project.zip --warehouse s3://lake/warehouse
  --glue_role_arn arn:aws:iam::...:role/... --environment prod [--glue_workers 2]
  [--database_prefix dev_]

Imports only what the job ships (the template's `DbtPythonModules`, boto3, lakehouse.zip).
"""

import argparse
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import boto3
from deltalake import DeltaTable

from lakehouse.aws import catalog, metrics
from lakehouse.aws.job_settings import JobSettingError, check_database_prefix
from lakehouse.datasets import DATASETS
from lakehouse.transform import dbt_runner
from lakehouse.warehouse.tables import query

DEPS = ["deps"]
BUILD = ["build", "--target", "glue", *dbt_runner.SCHEDULED]
MAINTAIN = ["run-operation", "maintain_tables", "--target", "glue"]
# Every layer dbt builds Delta tables in: analysts read Gold, engineers read the others
# (test failures after a failed test, snapshots for history) through Athena too.
ATHENA_SCHEMAS = ("staging", "silver", "quarantine", "gold", "snapshots", "test_failures")
REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")


@dataclass(frozen=True)
class Settings:
    project_zip: str
    warehouse: str
    glue_role_arn: str
    glue_workers: int
    environment: str
    database_prefix: str = ""

    def database(self, layer: str) -> str:
        return f"{self.database_prefix}{layer}"


def parse_settings(argv: list[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project_zip", required=True)
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--glue_role_arn", required=True)
    parser.add_argument("--glue_workers", default="2")
    parser.add_argument("--environment", required=True)
    parser.add_argument("--database_prefix", default="")
    args, _ = parser.parse_known_args(argv)  # Glue adds arguments of its own
    for name in ("project_zip", "warehouse"):
        if not getattr(args, name).startswith("s3://"):
            raise JobSettingError(f"--{name} '{getattr(args, name)}' must be an s3:// URI")
    if not args.glue_workers.isdigit() or int(args.glue_workers) < 2:
        raise JobSettingError(f"--glue_workers '{args.glue_workers}' must be a whole number >= 2")
    check_database_prefix(args.database_prefix)
    return Settings(
        args.project_zip,
        args.warehouse.rstrip("/"),
        args.glue_role_arn,
        int(args.glue_workers),
        args.environment,
        args.database_prefix,
    )


def job_region(session: boto3.session.Session) -> str:
    """The region dbt's Glue sessions must run in: the job's own."""
    region = os.environ.get("AWS_REGION") or session.region_name
    if not region:
        # The profile has no default on purpose: a guess would put the sessions elsewhere.
        raise JobSettingError(
            f"no AWS region for dbt's Glue sessions: set {' or '.join(REGION_VARIABLES)}"
        )
    return region


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


def dbt_environment(settings: Settings, project: Path, region: str) -> dict[str, str]:
    """The variables `profiles/profiles.yml` and `dbt_project.yml` read on the glue target."""
    return {
        "DBT_PROFILES_DIR": str(project / "profiles"),
        "LAKEHOUSE_WAREHOUSE": settings.warehouse,
        "LAKEHOUSE_GLUE_ROLE_ARN": settings.glue_role_arn,
        "LAKEHOUSE_GLUE_WORKERS": str(settings.glue_workers),
        "LAKEHOUSE_DATABASE_PREFIX": settings.database_prefix,
        # boto3 inside dbt-glue reads AWS_DEFAULT_REGION; one already set is kept.
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION") or region,
    }


def quarantined_rows(glue, database: str) -> dict[str, int]:
    """Rows in quarantine per dataset after the build (quarantine is rebuilt every run), read
    from the Delta tables the catalog points at; a table not built counts 0."""
    rows = {}
    for name in DATASETS:
        try:
            table = glue.get_table(DatabaseName=database, Name=name)["Table"]
        except glue.exceptions.EntityNotFoundException:
            rows[name] = 0
            continue
        location = catalog.delta_location(table)
        if location is None:
            raise JobSettingError(f"catalog entry {database}.{name} is not a Delta table")
        rows[name] = query("select count(*) as n from t", t=DeltaTable(location))[0]["n"]
    return rows


def after_build(settings: Settings, glue, cloudwatch) -> None:
    for schema in ATHENA_SCHEMAS:
        catalog.mark_delta_tables_for_athena(glue, settings.database(schema))
    for dataset, rows in quarantined_rows(glue, settings.database("quarantine")).items():
        metrics.publish(cloudwatch, settings.environment, dataset, {"RowsQuarantined": rows})


def failure(args: list[str], outcome: dbt_runner.DbtOutcome) -> str:
    """Glue marks the run FAILED with this message; Step Functions reports it."""
    step = " ".join(args[:2] if args[0] == "run-operation" else args[:1])
    detail = "; ".join(outcome.failures) or outcome.exception or "see the job log"
    return f"dbt {step} failed: {detail}"


def run_dbt(settings: Settings, project: Path, glue, cloudwatch) -> None:
    """deps, build, Athena marking and metric (whatever the build's outcome), maintenance."""

    def invoke(args: list[str]) -> dbt_runner.DbtOutcome:
        return dbt_runner.invoke([*args, "--project-dir", str(project)])

    deps = invoke(DEPS)
    if not deps.success:
        raise SystemExit(failure(DEPS, deps))  # nothing was built, nothing to mark
    build = invoke(BUILD)
    try:
        after_build(settings, glue, cloudwatch)
    except Exception as error:
        if build.success:
            raise
        raise SystemExit(
            f"{failure(BUILD, build)}; then marking for Athena failed: {error}"
        ) from error
    if not build.success:
        raise SystemExit(failure(BUILD, build))
    maintenance = invoke(MAINTAIN)
    if not maintenance.success:
        raise SystemExit(failure(MAINTAIN, maintenance))


def main(argv: list[str] | None = None) -> None:
    settings = parse_settings(argv)
    session = boto3.session.Session()
    region = job_region(session)
    with tempfile.TemporaryDirectory() as tmp:
        project = fetch_project(
            session.client("s3", region_name=region), settings.project_zip, Path(tmp)
        )
        os.environ.update(dbt_environment(settings, project, region))
        run_dbt(
            settings,
            project,
            session.client("glue", region_name=region),
            session.client("cloudwatch", region_name=region),
        )


if __name__ == "__main__":
    main()
