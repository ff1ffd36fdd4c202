"""The post-deploy smoke test against moto: stack outputs, the canary upload, finding and
awaiting the runs the trigger starts (a thread stands in for the trigger), and the Athena
query on Gold (moto runs no SQL: the count is queued)."""

import csv
import datetime as dt
import io
import json
import threading
import time
from types import SimpleNamespace

import pytest
import requests

from lakehouse.aws import smoke_test
from lakehouse.aws.smoke_test import SmokeTestError
from lakehouse.datasets import DATASETS

pytestmark = pytest.mark.aws

ROLE = "arn:aws:iam::123456789012:role/lakehouse"
OUTPUTS = {
    "RawBucket": "raw",
    "AthenaWorkGroup": "lakehouse-prod",
    "GoldDatabase": "prod_gold",
}


@pytest.fixture
def deployed(moto_in_process):
    """A stack with the outputs the smoke test reads, its raw bucket and workgroup, and a
    state machine per outcome (moto executes them)."""
    aws = moto_in_process
    aws("s3").create_bucket(Bucket="raw")
    aws("athena").create_work_group(
        Name="lakehouse-prod",
        Configuration={"ResultConfiguration": {"OutputLocation": "s3://raw/athena/"}},
    )
    sfn = aws("stepfunctions")
    machines = {
        outcome: sfn.create_state_machine(
            name=f"lakehouse-{outcome}", definition=json.dumps(definition), roleArn=ROLE
        )["stateMachineArn"]
        for outcome, definition in {
            "succeeds": {"StartAt": "Run", "States": {"Run": {"Type": "Pass", "End": True}}},
            "fails": {
                "StartAt": "Run",
                "States": {"Run": {"Type": "Fail", "Error": "Build", "Cause": "dbt failed"}},
            },
        }.items()
    }

    def stack(outcome: str = "succeeds", outputs: dict | None = None) -> str:
        name = f"lakehouse-{outcome}"
        values = {**OUTPUTS, "StateMachine": machines[outcome], **(outputs or {})}
        template = {
            "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
            "Outputs": {key: {"Value": value} for key, value in values.items()},
        }
        aws("cloudformation").create_stack(StackName=name, TemplateBody=json.dumps(template))
        return name

    def queue_count(count: str) -> None:
        rows = [{"Data": [{"VarCharValue": v}]} for v in ("_col0", count)]
        requests.post(
            f"{aws.endpoint}/moto-api/static/athena/query-results",
            json={"results": [{"rows": rows}]},
            timeout=10,
        ).raise_for_status()

    aws.stack = stack
    aws.machines = machines
    aws.queue_count = queue_count
    aws.session = SimpleNamespace(client=aws)
    return aws


class Trigger(threading.Thread):
    """Starts one execution per batch of canary files, as the trigger Lambda does: once the
    files are in the raw bucket, with their `s3://bucket/key@etag` in the input."""

    def __init__(self, aws, machine: str, batches: int = 1):
        super().__init__(daemon=True)
        self.aws, self.machine, self.batches = aws, machine, batches
        self.stopped = threading.Event()

    def run(self) -> None:
        s3 = self.aws("s3")
        while not self.stopped.is_set():
            listed = s3.list_objects_v2(Bucket="raw", Prefix="incoming/").get("Contents", [])
            if len(listed) == len(DATASETS):
                objects = [f"s3://raw/{o['Key']}@{o['ETag']}" for o in listed]
                for i in range(self.batches):
                    self.aws("stepfunctions").start_execution(
                        stateMachineArn=self.machine,
                        name=f"objects-{i}",
                        input=json.dumps({"objects": objects[i :: self.batches]}),
                    )
                return
            time.sleep(0.05)


def test_a_canary_run_that_succeeds_then_an_athena_count_of_gold_passes(deployed):
    trigger = Trigger(deployed, deployed.machines["succeeds"])
    trigger.start()
    deployed.queue_count("1234")

    summary = smoke_test.smoke_test(
        deployed.session, deployed.stack(), run_timeout=60, query_timeout=10, poll=0.1
    )

    assert summary == "canary run objects-0 succeeded; prod_gold.daily_sales has 1234 rows"
    # one header-only file per dataset: every step runs, no row is loaded
    s3 = deployed("s3")
    for o in s3.list_objects_v2(Bucket="raw", Prefix="incoming/")["Contents"]:
        dataset, name = o["Key"].split("/")[1:]
        assert name.startswith("_smoke-test-")
        body = s3.get_object(Bucket="raw", Key=o["Key"])["Body"].read().decode()
        assert list(csv.reader(io.StringIO(body))) == [list(DATASETS[dataset].required_columns)]
    athena = deployed("athena")
    [query_id] = athena.list_query_executions()["QueryExecutionIds"]
    query = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
    assert query["Query"] == "select count(*) from prod_gold.daily_sales"
    assert query["WorkGroup"] == "lakehouse-prod"
    assert query["QueryExecutionContext"]["Database"] == "prod_gold"


def test_a_failed_canary_run_fails_the_smoke_test_with_its_cause(deployed):
    Trigger(deployed, deployed.machines["fails"]).start()

    with pytest.raises(SmokeTestError, match="run objects-0 ended FAILED: Build dbt failed"):
        smoke_test.smoke_test(
            deployed.session, deployed.stack("fails"), run_timeout=60, query_timeout=10, poll=0.1
        )
    assert deployed("athena").list_query_executions()["QueryExecutionIds"] == []


def test_files_the_trigger_split_over_two_runs_wait_for_both(deployed):
    Trigger(deployed, deployed.machines["succeeds"], batches=2).start()
    started_after = dt.datetime.now(dt.UTC)
    keys = smoke_test.upload_canary(deployed("s3"), "raw", "two")

    runs = smoke_test.wait_for_runs(
        deployed("stepfunctions"),
        deployed.machines["succeeds"],
        keys,
        started_after,
        timeout=60,
        poll=0.1,
    )

    assert sorted(r["name"] for r in runs) == ["objects-0", "objects-1"]
    assert {r["status"] for r in runs} == {"SUCCEEDED"}


def test_no_run_for_the_canary_ends_the_wait_with_a_clear_message(deployed):
    sfn = deployed("stepfunctions")
    machine = deployed.machines["succeeds"]
    keys = smoke_test.upload_canary(deployed("s3"), "raw", "lost")
    # a run for these very files that started before the upload is not the canary's
    sfn.start_execution(
        stateMachineArn=machine,
        name="earlier",
        input=json.dumps({"objects": [f"s3://raw/{k}@etag" for k in keys]}),
    )
    after = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    ticks = iter(range(100))

    with pytest.raises(SmokeTestError) as failure:
        smoke_test.wait_for_runs(
            sfn, machine, keys, after, timeout=3, poll=0, clock=lambda: next(ticks)
        )
    message = str(failure.value)
    assert message.startswith(f"no run of {machine} started for incoming/")
    assert "within 3 s of the upload" in message
    assert "event notification" in message


def test_a_stack_without_the_outputs_the_smoke_test_reads_is_named(deployed):
    cloudformation = deployed("cloudformation")
    bare = json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})
    cloudformation.create_stack(StackName="bare", TemplateBody=bare)

    with pytest.raises(SmokeTestError, match="^stack bare has no output AthenaWorkGroup, "):
        smoke_test.read_stack(cloudformation, "bare")


def test_an_athena_count_is_read_from_the_row_after_the_header(deployed):
    deployed.queue_count("0")

    assert smoke_test.count_gold(deployed("athena"), "lakehouse-prod", "prod_gold", timeout=5) == 0
