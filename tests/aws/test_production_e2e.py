"""The production path executed end to end, offline, on Glue 5's Spark and Delta versions.

The sample's files are put into the raw bucket of the deployed definitions (the template's
resources, aws/deploy.sh's uploads, the state machine from aws/stepfunctions/); S3 notifies
the trigger's queue, the trigger function starts a run, moto executes the state machine,
and the Glue box (glue_box/) runs the three ingestion jobs and the dbt job from their
scripts in virtualenvs built from the template's module lists; dbt-glue sends its SQL to
Glue sessions on PySpark 3.5.4 + Delta 3.3.0 over moto's S3; the Gold check runs on the
box's Athena, which reads what the catalog points at; SNS reports. The same files are then
built locally on Sail, and Gold must agree row by row. A second delivery, a corrected
order, must MERGE on Spark and agree again.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pandas as pd
import pytest
from deltalake import DeltaTable

from lakehouse.aws import catalog, dbt_job, trigger
from lakehouse.datasets import DATASETS
from lakehouse.transform.dbt_runner import PROJECT_DIR
from lakehouse.warehouse.maintenance import MAINTENANCE_OPERATIONS
from tests.aws.glue_box.deployment import Deployment, deploy, sqs_event
from tests.support import RUN_TIMES, SAMPLE

pytestmark = [pytest.mark.aws, pytest.mark.e2e, pytest.mark.jvm]

BIN = Path(sys.executable).parent
ENVIRONMENT = "box"
GOLD = ["daily_sales", "product_performance", "department_analytics", "customer_insights"]
# every layer of Delta tables (the seed's `reference` is Parquet, which Athena reads as is)
LAYERS_ATHENA_READS = ["bronze", *dbt_job.ATHENA_SCHEMAS]
ROLE = "arn:aws:iam::123456789012:role/probe"
CORRECTED_ORDER = "10000"  # its total_amount is delivered again, corrected


@pytest.fixture(scope="module")
def production(glue_box, tmp_path_factory):
    """The deployment, the local warehouse built from the same deliveries, and a function
    that delivers files to both and waits for the production run."""
    work = tmp_path_factory.mktemp("production")
    deployment = deploy(glue_box, ENVIRONMENT, "e2e", work)
    local_raw, local_warehouse = work / "raw", work / "warehouse"

    def deliver(files: dict[str, Path]) -> dict:
        """files: 'dataset/name.csv' -> local file. Returns the production run's outcome."""
        s3 = glue_box("s3")
        for key, source in sorted(files.items()):
            s3.upload_file(str(source), deployment.raw_bucket, f"incoming/{key}")
            (local_raw / key).parent.mkdir(parents=True, exist_ok=True)
            (local_raw / key).write_bytes(source.read_bytes())
        execution = start_run_from_queue(glue_box, deployment)
        lakehouse = [BIN / "lakehouse", "run", "--raw", str(local_raw)]
        local = subprocess.run(
            [*lakehouse, "--warehouse", str(local_warehouse)], capture_output=True, text=True
        )
        assert local.returncode == 0, local.stdout[-3000:] + local.stderr[-3000:]
        return wait_for(glue_box, execution)

    deliver.deployment = deployment
    deliver.local_warehouse = local_warehouse
    deliver.work = work
    return deliver


@pytest.fixture(scope="module")
def sample_run(production) -> tuple[dict[str, Path], dict]:
    """The sample's files delivered once: the files and the production run's outcome."""
    files = {f"{d}/{p.name}": p for d in DATASETS for p in sorted((SAMPLE / d).glob("*.csv"))}
    return files, production(files)


def start_run_from_queue(aws, deployment: Deployment) -> str:
    """What Lambda's SQS poller does: hand the queued S3 events to the trigger function."""
    sqs, messages = aws("sqs"), []
    while batch := sqs.receive_message(
        QueueUrl=deployment.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
    ).get("Messages", []):
        messages += batch
    assert messages, "S3 sent the trigger's queue no event"
    outcome = trigger.start_run(
        sqs_event(messages),
        aws("stepfunctions"),
        boto3.resource("dynamodb", region_name="us-east-1").Table(deployment.claims_table),
        deployment.state_machine,
        claim_days=90,
    )
    assert outcome["errors"] == [] and outcome["execution"], outcome
    for message in messages:
        sqs.delete_message(QueueUrl=deployment.queue_url, ReceiptHandle=message["ReceiptHandle"])
    machine = deployment.state_machine.replace(":stateMachine:", ":execution:")
    return f"{machine}:{outcome['execution']}"


def wait_for(aws, execution_arn: str, minutes: int = 40) -> dict:
    sfn = aws("stepfunctions")
    deadline = time.monotonic() + minutes * 60
    while (status := sfn.describe_execution(executionArn=execution_arn))["status"] == "RUNNING":
        assert time.monotonic() < deadline, f"{execution_arn} still running after {minutes} min"
        time.sleep(2)
    history = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    failures = [e for e in history if "Failed" in e["type"]]
    return {"status": status["status"], "error": status.get("error"), "cause": status.get("cause"),
            "output": status.get("output"), "failures": failures}  # fmt: skip


def alerts(aws, deployment: Deployment) -> list[dict]:
    sqs = aws("sqs")
    notes = sqs.receive_message(QueueUrl=deployment.inbox_url, MaxNumberOfMessages=10)
    for note in notes.get("Messages", []):
        sqs.delete_message(QueueUrl=deployment.inbox_url, ReceiptHandle=note["ReceiptHandle"])
    return [json.loads(n["Body"]) for n in notes.get("Messages", [])]


def catalog_entry(aws, deployment: Deployment, layer: str, table: str) -> dict:
    database = f"{deployment.database_prefix}{layer}"
    return aws("glue").get_table(DatabaseName=database, Name=table)["Table"]


def storage_options(aws) -> dict[str, str]:
    return {"AWS_ENDPOINT_URL": aws.endpoint, "AWS_ALLOW_HTTP": "true", "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}  # fmt: skip


def production_table(aws, deployment: Deployment, layer: str, table: str) -> DeltaTable:
    """The Delta table the catalog entry points Athena at."""
    location = catalog_entry(aws, deployment, layer, table)["StorageDescriptor"]["Location"]
    return DeltaTable(location, storage_options=storage_options(aws))


def assert_gold_matches_local(aws, production) -> None:
    for table in GOLD:
        remote = production_table(aws, production.deployment, "gold", table).to_pandas()
        local = DeltaTable(str(production.local_warehouse / "gold" / table)).to_pandas()
        assert len(remote) > 0, f"gold.{table} is empty on the production path"
        assert sorted(remote.columns) == sorted(local.columns), table
        key = sorted(c for c in local.columns if c not in RUN_TIMES)
        remote = remote[key].sort_values(key, ignore_index=True)
        local = local[key].sort_values(key, ignore_index=True)
        pd.testing.assert_frame_equal(
            remote, local, check_dtype=False, check_exact=False, rtol=1e-9, obj=f"gold.{table}"
        )


def test_athena_reads_what_spark_wrote_once_the_dbt_job_has_marked_it(glue_box):
    """The catalog entry Spark writes for a Delta table points Athena at a placeholder; the
    dbt job's marking is what makes it readable."""
    glue, s3 = glue_box("glue"), glue_box("s3")
    s3.create_bucket(Bucket="probe-lake")
    glue.create_database(DatabaseInput={"Name": "probe", "LocationUri": "s3://probe-lake/probe"})
    glue.create_session(Id="probe", Role=ROLE, Command={"Name": "glueetl"})
    statement = glue.run_statement(
        SessionId="probe",
        Code="spark.sql(\"create table probe.t using delta location 's3://probe-lake/probe/t' "
        'as select 1 as id")',
    )
    while (done := glue.get_statement(SessionId="probe", Id=statement["Id"])["Statement"])[
        "State"
    ] != "AVAILABLE":
        time.sleep(0.2)
    assert done["Output"]["Status"] == "ok", done["Output"]

    entry = glue.get_table(DatabaseName="probe", Name="t")["Table"]
    assert entry["StorageDescriptor"]["Location"] == "s3://probe-lake/probe/t-__PLACEHOLDER__"
    assert (
        entry["StorageDescriptor"]["SerdeInfo"]["Parameters"]["path"] == "s3://probe-lake/probe/t"
    )
    assert "table_type" not in entry["Parameters"]
    assert athena(glue_box, "select count(*) from probe.t")["State"] == "FAILED"

    catalog.mark_delta_tables_for_athena(glue, "probe")

    assert athena(glue_box, "select count(*) from probe.t") == {
        "State": "SUCCEEDED",
        "rows": [["1"]],
    }


def athena(aws, sql: str) -> dict:
    client = aws("athena")
    query_id = client.start_query_execution(QueryString=sql)["QueryExecutionId"]
    while (status := client.get_query_execution(QueryExecutionId=query_id))["QueryExecution"][
        "Status"
    ]["State"] in ("QUEUED", "RUNNING"):
        time.sleep(0.2)
    state = status["QueryExecution"]["Status"]["State"]
    if state != "SUCCEEDED":
        return {"State": state}
    rows = client.get_query_results(QueryExecutionId=query_id)["ResultSet"]["Rows"][1:]
    return {"State": state, "rows": [[c.get("VarCharValue") for c in r["Data"]] for r in rows]}


def test_the_sample_runs_through_production_and_gold_matches_the_local_build(
    glue_box, production, sample_run
):
    files, run = sample_run

    assert run["status"] == "SUCCEEDED", json.dumps(run, default=str)[-4000:]
    [report] = alerts(glue_box, production.deployment)
    assert report["Subject"] == "Lakehouse run succeeded"
    figures = json.loads(report["Message"])
    assert int(figures["bronze_rows_loaded"]) == sum(
        len(p.read_text().splitlines()) - 1 for p in files.values()
    )
    assert figures["gold_dates"] == figures["run_dates"] == "12"
    assert_gold_matches_local(glue_box, production)
    # every entry Athena reads points at its Delta table, marked as one
    for layer in LAYERS_ATHENA_READS:
        database = f"{production.deployment.database_prefix}{layer}"
        for entry in glue_box("glue").get_tables(DatabaseName=database)["TableList"]:
            name = f"{database}.{entry['Name']}"
            assert entry["Parameters"].get("table_type") == "DELTA", name
            location = entry["StorageDescriptor"]["Location"]
            assert "__PLACEHOLDER__" not in location, name
            DeltaTable(location, storage_options=storage_options(glue_box))  # a Delta log is there
    raw = glue_box("s3").list_objects_v2(Bucket=production.deployment.raw_bucket)["Contents"]
    keys = [o["Key"] for o in raw]
    assert not [k for k in keys if k.startswith("incoming/")]
    assert len([k for k in keys if k.startswith("archive/")]) == len(files)
    metrics = glue_box("cloudwatch").list_metrics(Namespace="Lakehouse")["Metrics"]
    assert {"RowsLoaded", "RowsQuarantined"} <= {m["MetricName"] for m in metrics}


def test_a_corrected_redelivery_merges_on_spark_and_gold_still_matches(
    glue_box, production, sample_run
):
    orders = SAMPLE / "orders" / "2025-04-01.csv"
    header, *rows = orders.read_text().splitlines()
    corrected = [r for r in rows if r.split(",")[1] == CORRECTED_ORDER]
    assert corrected, f"order {CORRECTED_ORDER} is not in {orders}"
    fields = corrected[0].split(",")
    fields[4] = "4321.09"  # total_amount
    redelivery = production.work / "2025-04-01-corrected.csv"
    redelivery.write_text(f"{header}\n{','.join(fields)}\n")

    run = production({"orders/2025-04-01-corrected.csv": redelivery})

    assert run["status"] == "SUCCEEDED", json.dumps(run, default=str)[-4000:]
    silver = production_table(glue_box, production.deployment, "silver", "orders")
    operations = [h["operation"] for h in silver.history()]
    assert "MERGE" in operations, operations
    amount = silver.to_pandas().set_index("order_id").loc[int(CORRECTED_ORDER), "total_amount"]
    assert float(amount) == 4321.09
    # the marts by day recomputed the corrected order's day alone, in place (maintenance
    # compacted them after)
    for mart in ("daily_sales", "department_analytics"):
        history = production_table(glue_box, production.deployment, "gold", mart).history()
        last = next(h for h in history if h["operation"] not in MAINTENANCE_OPERATIONS)
        assert last["operation"] == "WRITE", (mart, last)
        assert last["operationParameters"]["predicate"] == "(order_date = DATE '2025-04-01')"
    assert_gold_matches_local(glue_box, production)


def test_the_unit_tests_pass_on_glue_spark_too(glue_box, production, sample_run, tmp_path):
    """The dbt unit tests (every row rule, each incremental branch) on Spark 3.5.4 through
    the glue target, with the dbt job's own settings: an engine that reads a raw value
    differently from Sail fails here. After a production build: a unit test reads its
    inputs' columns from their tables."""
    job = production.deployment.template.properties("DbtJob")
    settings = dbt_job.parse_settings(
        [item for pair in job["DefaultArguments"].items() for item in pair]
    )
    env = os.environ | dbt_job.dbt_environment(settings, PROJECT_DIR, "us-east-1")
    env["DBT_TARGET_PATH"] = str(tmp_path / "target")
    tested = subprocess.run(
        [BIN / "dbt", "test", "--target", "glue", "--select", "test_type:unit"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
    )  # fmt: skip

    assert tested.returncode == 0, tested.stdout[-4000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    unit_tests = [r for r in results if r["unique_id"].startswith("unit_test.")]  # not hooks
    assert len(unit_tests) > 10 and {r["status"] for r in unit_tests} == {"pass"}
