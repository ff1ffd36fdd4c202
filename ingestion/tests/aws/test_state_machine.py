"""moto executes the versioned state machine definition, with Glue, Athena and SNS in moto.

moto records Glue job runs but runs no script, so this test is the Glue worker: it watches
the job runs the state machine starts and ends each one. An ingestion run executes the real
entry point (`python -m ingestion.aws.s3_ingest` with the job's arguments) against moto S3;
the dbt run cannot execute here (dbt-glue needs Glue interactive sessions), so the scenario
says how it ends. moto runs no SQL either: the test queues the rows Athena would return and
checks the query text the state machine sent.
"""

import json
import re
import subprocess
import sys
import threading
import time

import pytest
import requests
from moto.backends import get_backend
from moto.moto_api import state_manager
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_glue,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
    ResourceCondition,
)

from ingestion.dbt import PROJECT_DIR

DEFINITION = PROJECT_DIR / "aws" / "stepfunctions" / "pipeline.asl.json"
ACCOUNT, REGION = "123456789012", "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lakehouse"
INGEST_ARGUMENTS = {
    "--raw_bucket": "raw",
    "--warehouse": "s3://lake/warehouse",
    "--environment": "test",
    "--database_prefix": "test_",
}
CHECK_COLUMNS = ("bronze_rows_loaded", "run_dates", "gold_dates", "gold_orders")


def substitute(definition: str, values: dict[str, str]) -> str:
    """CloudFormation's DefinitionSubstitutions: ${Name} -> value; every name must be given."""
    return re.sub(r"\$\{(\w+)\}", lambda m: values[m[1]], definition)


@pytest.fixture
def glue_sync(monkeypatch):
    """moto 5.2.5 fails every `.sync` task of a service without a callback pattern: after
    polling GetJobRun to the end it calls interrupt_all() on a callback endpoint it only
    creates for services that support .waitForTaskToken (the same fault LocalStack, whence
    moto's interpreter comes, has a fix proposed for). Declaring that pattern for Glue makes
    moto create the endpoint; the polling, retries and errors remain moto's own."""
    cls = state_task_service_glue.StateTaskServiceGlue
    original = cls.__init__

    def init(self):
        original(self)
        self._supported_integration_patterns = {
            *self._supported_integration_patterns,
            ResourceCondition.WaitForTaskToken,
        }

    monkeypatch.setattr(cls, "__init__", init)
    # Job runs stay RUNNING until the worker below ends them.
    state_manager.set_transition("glue::job_run", {"progression": "manual", "times": 10**9})
    yield
    state_manager.unset_transition("glue::job_run")


class GlueWorker(threading.Thread):
    """Ends the Glue job runs the state machine starts (see the module docstring)."""

    def __init__(self, dbt_succeeds: bool, failing_datasets: set[str]):
        super().__init__(daemon=True)
        self.dbt_succeeds = dbt_succeeds
        self.failing_datasets = failing_datasets
        self.runs: list[tuple[str, dict]] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        glue = get_backend("glue")[ACCOUNT][REGION]
        seen = set()
        while not self.stopped.is_set():
            for job in list(glue.jobs.values()):
                for job_run in list(job.job_runs):
                    if job_run.job_run_id in seen:
                        continue
                    seen.add(job_run.job_run_id)
                    arguments = {**job.default_arguments, **(job_run.arguments or {})}
                    self.runs.append((job.name, arguments))
                    job_run.status = (
                        "SUCCEEDED" if self._succeeds(job.name, arguments) else "FAILED"
                    )
            time.sleep(0.05)

    def _succeeds(self, job: str, arguments: dict) -> bool:
        if job == "lakehouse-dbt":
            return self.dbt_succeeds
        if arguments["--dataset"] in self.failing_datasets:
            return False
        argv = [a for pair in arguments.items() for a in pair]
        done = subprocess.run(
            [sys.executable, "-m", "ingestion.aws.s3_ingest", *argv],
            capture_output=True,
            text=True,
        )
        return done.returncode == 0


@pytest.fixture
def lakehouse(moto_in_process, glue_sync, sample):
    """Buckets with one sample file per dataset, the two Glue jobs, the topic (read through
    an SQS subscription), the Athena workgroup and the state machine."""
    aws = moto_in_process
    s3 = aws("s3")
    for bucket in ("raw", "lake", "athena-results"):
        s3.create_bucket(Bucket=bucket)
    for dataset in ("products", "orders", "order_items"):
        first = sorted((sample / dataset).glob("*.csv"))[0]
        s3.upload_file(str(first), "raw", f"incoming/{dataset}/{first.name}")
    glue = aws("glue")
    glue.create_database(DatabaseInput={"Name": "test_bronze"})
    jobs = {
        f"lakehouse-ingest-{d}": INGEST_ARGUMENTS for d in ("products", "orders", "order_items")
    }
    for name, arguments in {**jobs, "lakehouse-dbt": {}}.items():
        glue.create_job(
            Name=name,
            Role=ROLE,
            Command={"Name": "glueetl", "ScriptLocation": "s3://artifacts/glue/job.py"},
            DefaultArguments=arguments,
            ExecutionProperty={"MaxConcurrentRuns": 1},
        )
    topic = aws("sns").create_topic(Name="lakehouse")["TopicArn"]
    sqs = aws("sqs")
    inbox = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])
    aws("sns").subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn["Attributes"]["QueueArn"]
    )
    aws("athena").create_work_group(
        Name="lakehouse",
        Configuration={"ResultConfiguration": {"OutputLocation": "s3://athena-results/"}},
    )
    definition = substitute(
        DEFINITION.read_text(),
        {
            "IngestJobName": "lakehouse-ingest",
            "DbtJobName": "lakehouse-dbt",
            "AthenaWorkGroup": "lakehouse",
            "TopicArn": topic,
            "DatabasePrefix": "test_",
        },
    )
    machine = aws("stepfunctions").create_state_machine(
        name="lakehouse", definition=definition, roleArn=ROLE
    )["stateMachineArn"]

    def run(*, dbt_succeeds=True, failing_datasets=(), gold_dates="2") -> dict:
        requests.post(
            f"{aws.endpoint}/moto-api/static/athena/query-results",
            json={
                "results": [
                    {"rows": [_row(CHECK_COLUMNS), _row(("2700", "2", gold_dates, "1000"))]}
                ]
            },
            timeout=10,
        ).raise_for_status()
        worker = GlueWorker(dbt_succeeds, set(failing_datasets))
        worker.start()
        sfn = aws("stepfunctions")
        execution = sfn.start_execution(stateMachineArn=machine, name="run-1", input="{}")
        try:
            while (status := sfn.describe_execution(executionArn=execution["executionArn"]))[
                "status"
            ] == "RUNNING":
                time.sleep(0.1)
        finally:
            worker.stopped.set()
        history = sfn.get_execution_history(executionArn=execution["executionArn"])["events"]
        notes = sqs.receive_message(QueueUrl=inbox, MaxNumberOfMessages=10).get("Messages", [])
        queries = aws("athena").list_query_executions()["QueryExecutionIds"]
        return {
            "status": status["status"],
            "error": status.get("error"),
            "states": [
                e["stateEnteredEventDetails"]["name"]
                for e in history
                if "stateEnteredEventDetails" in e
            ],
            "messages": [json.loads(n["Body"]) for n in notes],
            "glue_runs": worker.runs,
            "queries": [
                aws("athena").get_query_execution(QueryExecutionId=q)["QueryExecution"]["Query"]
                for q in queries
            ],
        }

    run.s3 = s3
    return run


def _row(values) -> dict:
    return {"Data": [{"VarCharValue": v} for v in values]}


def raw_keys(s3, prefix: str) -> list[str]:
    return sorted(
        o["Key"] for o in s3.list_objects_v2(Bucket="raw", Prefix=prefix).get("Contents", [])
    )


def test_success_ingests_builds_checks_and_reports(lakehouse):
    result = lakehouse()

    assert result["status"] == "SUCCEEDED"
    branches = {"Ingest products", "Ingest orders", "Ingest order_items"}
    assert set(result["states"][2:5]) == branches  # in parallel: any order
    assert [s for s in result["states"] if s not in branches] == [
        "Start", "Ingest", "Ingestion complete?", "Build", "Check Gold", "Get check status",
        "Check done?", "Get check figures", "Gold complete?", "Summarise", "Notify success",
    ]  # fmt: skip
    assert sorted((job, args.get("--dataset")) for job, args in result["glue_runs"]) == [
        ("lakehouse-dbt", None),
        ("lakehouse-ingest-order_items", "order_items"),
        ("lakehouse-ingest-orders", "orders"),
        ("lakehouse-ingest-products", "products"),
    ]
    # the real ingestion job ran: every raw file archived under the execution's name
    assert raw_keys(lakehouse.s3, "incoming/") == []
    assert len(raw_keys(lakehouse.s3, "archive/run-1/")) == 3
    [query] = result["queries"]
    started_at = re.search(r"from_iso8601_timestamp\('([^']+)'\)", query)[1]
    assert "left join test_gold.daily_sales" in query
    assert "from test_silver.orders" in query and "from test_bronze.order_items" in query

    [message] = result["messages"]
    assert message["Subject"] == "Lakehouse run succeeded"
    report = json.loads(message["Message"])
    assert report["execution"] == "run-1" and report["started_at"] == started_at
    assert {k: report[k] for k in CHECK_COLUMNS} == dict(
        zip(CHECK_COLUMNS, ("2700", "2", "2", "1000"), strict=True)
    )
    assert sorted(i["dataset"] for i in report["ingestion"]) == [
        "order_items",
        "orders",
        "products",
    ]
    assert report["build"]["job_run_id"].startswith("jr_")


def test_a_failed_ingestion_job_is_reported_and_nothing_is_built(lakehouse):
    result = lakehouse(failing_datasets={"orders"})

    assert (result["status"], result["error"]) == ("FAILED", "Ingest")
    assert "Build" not in result["states"]
    assert result["states"][-4:] == [
        "Ingestion complete?", "Ingest failed", "Notify failure", "Run failed",
    ]  # fmt: skip
    [message] = result["messages"]
    assert message["Subject"] == "Lakehouse run failed at Ingest"
    report = json.loads(message["Message"])
    outcomes = {i["dataset"]: i for i in json.loads(report["cause"])}
    assert outcomes["orders"]["error"] == "States.TaskFailed"
    assert '"JobRunState": "FAILED"' in outcomes["orders"]["cause"]
    assert "error" not in outcomes["products"] and "error" not in outcomes["order_items"]


def test_a_failed_dbt_build_is_reported(lakehouse):
    result = lakehouse(dbt_succeeds=False)

    assert (result["status"], result["error"]) == ("FAILED", "Build")
    assert result["states"][-4:] == ["Build", "Build failed", "Notify failure", "Run failed"]
    assert result["queries"] == []
    [message] = result["messages"]
    assert message["Subject"] == "Lakehouse run failed at Build"
    report = json.loads(message["Message"])
    assert (report["failed_step"], report["error"]) == ("Build", "States.TaskFailed")
    assert '"JobName": "lakehouse-dbt"' in report["cause"]


def test_gold_missing_a_date_of_the_run_fails_the_check(lakehouse):
    result = lakehouse(gold_dates="1")

    assert (result["status"], result["error"]) == ("FAILED", "Check Gold")
    [message] = result["messages"]
    report = json.loads(message["Message"])
    assert report["error"] == "Gold.Incomplete"
    assert report["cause"] == "gold.daily_sales has 1 of the 2 order dates this run loaded"


def test_the_definition_times_out_every_task():
    states = json.loads(DEFINITION.read_text())["States"]
    tasks = [s for s in _all_states(states) if s["Type"] == "Task"]
    assert len(tasks) == 9
    assert all(0 < t["TimeoutSeconds"] <= 7200 for t in tasks)
    glue_tasks = [t for t in tasks if "glue:" in t["Resource"]]
    assert all("Glue.ThrottlingException" in t["Retry"][0]["ErrorEquals"] for t in glue_tasks)


def _all_states(states: dict):
    for state in states.values():
        yield state
        for branch in state.get("Branches", []):
            yield from _all_states(branch["States"])
