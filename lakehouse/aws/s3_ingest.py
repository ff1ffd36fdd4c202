"""Glue job: load one dataset's raw files from S3 into its Bronze Delta table on S3.

The local loader does the work (`BronzeLoader`: same SHA-256 idempotence, same rejection
rules); this entry point only adapts S3 to it. Each waiting object under
RAW_PREFIX<dataset>/ is downloaded to a temporary folder that mirrors its key and loaded, in
key order, the rows of all of them in one Delta commit. Then each is moved: to
archive/<run id>/<key> once loaded, skipped or empty, to rejected/<run id>/<key> with
<key>.error.txt beside it when rejected. Objects are moved only after the commit: a job
killed before it leaves them all waiting, and the next run loads them, once; one killed
while moving them leaves the rest waiting, which the next run skips by their hash and
archives. The Bronze table lives in the database `<database prefix>bronze` (the template
passes `<EnvironmentName>_`): its files at WAREHOUSE/<database>/<dataset>, like every table
dbt builds, and its entry in the Glue Data Catalog. The figures are published to CloudWatch.

Glue passes job parameters as `--name value` arguments, e.g.
  --dataset orders --raw_bucket shop-raw --warehouse s3://shop-lake/warehouse --environment prod
  --database_prefix prod_
"""

import argparse
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3

from lakehouse.aws import catalog, metrics
from lakehouse.aws.job_settings import JobSettingError, check_database_prefix
from lakehouse.bronze.loader import BRONZE, BronzeLoader, FileResult, Outcome, bronze_schema
from lakehouse.datasets import DATASETS, Dataset
from lakehouse.warehouse.tables import table_path

ARCHIVE = "archive"
REJECTED = "rejected"


@dataclass(frozen=True)
class Settings:
    dataset: Dataset
    raw_bucket: str
    raw_prefix: str  # where datasets land: RAW_PREFIX<dataset>/...
    warehouse: str  # s3://bucket/prefix of the Delta tables
    environment: str
    run_id: str
    database_prefix: str = ""  # Bronze is <database_prefix>bronze, its files in that folder

    @property
    def bronze_database(self) -> str:
        return f"{self.database_prefix}{BRONZE}"


def parse_settings(argv: list[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--raw_bucket", required=True)
    parser.add_argument("--raw_prefix", default="incoming/")
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--environment", required=True)
    parser.add_argument("--run_id", default="manual")
    parser.add_argument("--database_prefix", default="")
    # Glue adds its own arguments (--JOB_ID, --TempDir, ...): they are not ours to check.
    args, _ = parser.parse_known_args(argv)
    if args.dataset not in DATASETS:
        raise JobSettingError(
            f"--dataset '{args.dataset}' is not a dataset; expected one of {', '.join(DATASETS)}"
        )
    if not args.warehouse.startswith("s3://"):
        raise JobSettingError(f"--warehouse '{args.warehouse}' must be an s3:// URI")
    if args.raw_prefix and not args.raw_prefix.endswith("/"):
        raise JobSettingError(f"--raw_prefix '{args.raw_prefix}' must end with '/'")
    check_database_prefix(args.database_prefix)
    return Settings(
        dataset=DATASETS[args.dataset],
        raw_bucket=args.raw_bucket,
        raw_prefix=args.raw_prefix,
        warehouse=args.warehouse.rstrip("/"),
        environment=args.environment,
        run_id=args.run_id,
        database_prefix=args.database_prefix,
    )


def waiting_keys(s3, settings: Settings) -> list[str]:
    """The dataset's objects in key order (the load order), leaving out folder markers and
    hidden names, as the local pipeline leaves out hidden files."""
    prefix = f"{settings.raw_prefix}{settings.dataset.name}/"
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=settings.raw_bucket, Prefix=prefix
    ):
        keys += [
            o["Key"]
            for o in page.get("Contents", [])
            if not o["Key"].endswith("/") and not o["Key"].rsplit("/", 1)[-1].startswith(".")
        ]
    return sorted(keys)


def ingest(settings: Settings, s3, glue, cloudwatch) -> list[FileResult]:
    with tempfile.TemporaryDirectory() as tmp:
        raw_root = Path(tmp)
        loader = BronzeLoader(
            settings.warehouse, settings.dataset, raw_root, settings.bronze_database
        )
        keys = waiting_keys(s3, settings)
        results = loader.load(_downloaded(s3, settings, keys, raw_root))
        # Moved only now that the loaded rows are committed, in one commit for the dataset
        for key, result in zip(keys, results, strict=True):
            _move(s3, settings, key, result)
    name = settings.dataset.name
    catalog.register_delta_table(
        glue,
        settings.bronze_database,
        name,
        table_path(settings.warehouse, settings.bronze_database, name),
        bronze_schema(settings.dataset),
    )
    metrics.publish(cloudwatch, settings.environment, name, figures(results))
    return results


def _downloaded(s3, settings: Settings, keys: list[str], raw_root: Path) -> Iterator[Path]:
    """Each object as a local file, fetched when the loader asks for it and deleted once it
    has been read, so the temporary folder holds one object at a time."""
    for key in keys:
        local = raw_root / key.removeprefix(settings.raw_prefix)
        local.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file(settings.raw_bucket, key, str(local))
        yield local
        local.unlink()


def figures(results: list[FileResult]) -> dict[str, int]:
    outcomes = Counter(r.outcome for r in results)
    return {
        "Files": len(results),
        "FilesLoaded": outcomes[Outcome.LOADED],
        "FilesSkipped": outcomes[Outcome.SKIPPED],
        "FilesRejected": outcomes[Outcome.REJECTED],
        "RowsLoaded": sum(r.rows for r in results),
    }


def _move(s3, settings: Settings, key: str, result: FileResult) -> None:
    relative = key.removeprefix(settings.raw_prefix)
    folder = REJECTED if result.outcome == Outcome.REJECTED else ARCHIVE
    target = f"{folder}/{settings.run_id}/{relative}"
    if result.outcome == Outcome.REJECTED:
        note = f"s3://{settings.raw_bucket}/{key} was rejected: {result.detail}\n"
        s3.put_object(Bucket=settings.raw_bucket, Key=f"{target}.error.txt", Body=note.encode())
    s3.copy_object(
        Bucket=settings.raw_bucket,
        Key=target,
        CopySource={"Bucket": settings.raw_bucket, "Key": key},
    )
    s3.delete_object(Bucket=settings.raw_bucket, Key=key)


def main(argv: list[str] | None = None) -> None:
    settings = parse_settings(argv)
    results = ingest(settings, boto3.client("s3"), boto3.client("glue"), boto3.client("cloudwatch"))
    for result in results:
        detail = f": {result.detail}" if result.detail else ""
        print(f"{result.outcome} {result.path.name} ({result.rows} rows){detail}")
    print(f"{settings.dataset.name}: {figures(results)}")


if __name__ == "__main__":
    main()
