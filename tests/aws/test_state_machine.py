"""moto executes the versioned state machine definition, with Glue, Athena, SNS and DynamoDB
(the lake's lease) in moto.

moto records Glue job runs but runs no script, so this test is the Glue worker: it watches
the job runs the state machine starts and ends each one. An ingestion run executes the real
entry point (`python -m lakehouse.aws.s3_ingest` with the job's arguments) against moto S3;
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
from moto.dynamodb.models import DynamoDBBackend
from moto.moto_api import state_manager

from lakehouse.transform.dbt_runner import PROJECT_DIR
from tests.aws.glue_box.moto_server import let_glue_sync_finish

pytestmark = [pytest.mark.aws, pytest.mark.e2e]  # moto executes the state machine, with its waits

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
LEASE = {"lease": {"S": "lake"}}


def substitute(definition: str, values: dict[str, str]) -> str:
    """CloudFormation's DefinitionSubstitutions: ${Name} -> value; every name must be given."""
    return re.sub(r"\$\{(\w+)\}", lambda m: values[m[1]], definition)


@pytest.fixture
def glue_sync(monkeypatch):
    let_glue_sync_finish(monkeypatch.setattr)
    # Job runs stay RUNNING until the worker below ends them.
    state_manager.set_transition("glue::job_run", {"progression": "manual", "times": 10**9})
    yield
    state_manager.unset_transition("glue::job_run")


@pytest.fixture
def atomic_dynamodb(monkeypatch):
    """DynamoDB checks a write's condition and writes as one step; moto does both without a
    lock, so two executions taking the lease at the same moment could both succeed in moto
    and never on AWS. One lock around moto's writes restores what the lease relies on."""
    lock = threading.Lock()
    for name in ("put_item", "delete_item", "update_item"):
        write = getattr(DynamoDBBackend, name)

        def locked(self, *args, _write=write, **kwargs):
            with lock:
                return _write(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, locked)


def lease_timing(definition: str, *, wait: int, expire_after: int, max_tries: int) -> str:
    """The definition with the lease's wait (seconds), expiry and give-up counts replaced:
    AWS waits a minute between tries, a test a second."""
    machine = json.loads(definition)
    states = machine["States"]
    states["Wait for the lake"]["Seconds"] = wait
    expired, busy = states["Lease expired?"]["Choices"]
    assert (expired["Variable"], busy["Variable"]) == ("$.lease.seen_for", "$.lease.tries")
    expired["NumericGreaterThanEquals"] = expire_after
    busy["NumericGreaterThanEquals"] = max_tries
    return json.dumps(machine)


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
            [sys.executable, "-m", "lakehouse.aws.s3_ingest", *argv],
            capture_output=True,
            text=True,
        )
        return done.returncode == 0


@pytest.fixture
def lakehouse(moto_in_process, glue_sync, atomic_dynamodb, sample):
    """Buckets with one sample file per dataset, the two Glue jobs, the topic (read through
    an SQS subscription), the Athena workgroup, the lease table and the state machine."""
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
    dynamodb = aws("dynamodb")
    dynamodb.create_table(
        TableName="lakehouse-lease",
        KeySchema=[{"AttributeName": "lease", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "lease", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
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
            "LeaseTable": "lakehouse-lease",
            "DatabasePrefix": "test_",
        },
    )
    sfn = aws("stepfunctions")

    def run_all(
        names=("run-1",),
        *,
        dbt_succeeds=True,
        failing_datasets=(),
        gold_dates="2",
        expire_after=600,
        max_tries=1200,
    ) -> dict:
        """Start one execution per name at once; when all have ended, what each did."""
        timed = lease_timing(definition, wait=1, expire_after=expire_after, max_tries=max_tries)
        machine = sfn.create_state_machine(
            name=f"lakehouse-{expire_after}-{max_tries}", definition=timed, roleArn=ROLE
        )["stateMachineArn"]
        check = [_row(CHECK_COLUMNS), _row(("2700", "2", gold_dates, "1000"))]
        requests.post(
            f"{aws.endpoint}/moto-api/static/athena/query-results",
            json={"results": [{"rows": check} for _ in names]},
            timeout=10,
        ).raise_for_status()
        worker = GlueWorker(dbt_succeeds, set(failing_datasets))
        worker.start()
        arns = {
            name: sfn.start_execution(stateMachineArn=machine, name=name, input="{}")[
                "executionArn"
            ]
            for name in names
        }
        try:
            while any(
                sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
                for arn in arns.values()
            ):
                time.sleep(0.1)
        finally:
            worker.stopped.set()
        notes = []
        while batch := sqs.receive_message(QueueUrl=inbox, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            notes += batch
            sqs.delete_message_batch(
                QueueUrl=inbox,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": n["ReceiptHandle"]} for i, n in enumerate(batch)
                ],
            )
        queries = aws("athena").list_query_executions()["QueryExecutionIds"]
        return {
            "executions": {name: _outcome(sfn, arn) for name, arn in arns.items()},
            "messages": [json.loads(n["Body"]) for n in notes],
            "glue_runs": worker.runs,
            "queries": [
                aws("athena").get_query_execution(QueryExecutionId=q)["QueryExecution"]["Query"]
                for q in queries
            ],
        }

    def run(**scenario) -> dict:
        """One execution, run-1: what it did, as one dict."""
        result = run_all(**scenario)
        return {**result.pop("executions")["run-1"], **result}

    def lease() -> dict | None:
        return dynamodb.get_item(TableName="lakehouse-lease", Key=LEASE).get("Item")

    run.all = run_all
    run.lease = lease
    run.dynamodb = dynamodb
    run.s3 = s3
    return run


def _outcome(sfn, arn: str) -> dict:
    status = sfn.describe_execution(executionArn=arn)
    history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    return {
        "status": status["status"],
        "error": status.get("error"),
        "cause": status.get("cause"),
        "states": [
            e["stateEnteredEventDetails"]["name"]
            for e in history
            if "stateEnteredEventDetails" in e
        ],
        "history": history,
    }


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
    assert set(result["states"][4:7]) == branches  # in parallel: any order
    assert [s for s in result["states"] if s not in branches] == [
        "Lease the lake", "Take lease", "Start", "Ingest", "Ingestion complete?", "Build",
        "Check Gold", "Get check status", "Check done?", "Get check figures", "Gold complete?",
        "Summarise", "Release lease", "Run succeeded?", "Notify success",
    ]  # fmt: skip
    assert sorted((job, args.get("--dataset")) for job, args in result["glue_runs"]) == [
        ("lakehouse-dbt", None),
        ("lakehouse-ingest-order_items", "order_items"),
        ("lakehouse-ingest-orders", "orders"),
        ("lakehouse-ingest-products", "products"),
    ]
    # no run is given code paths: each job takes its deploy's from its default arguments
    assert not any(
        {"--extra-py-files", "--project_zip"} & set(args) for _, args in result["glue_runs"]
    )
    assert lakehouse.lease() is None
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
    assert result["states"][-6:] == [
        "Ingestion complete?", "Ingest failed", "Release lease", "Run succeeded?",
        "Notify failure", "Run failed",
    ]  # fmt: skip
    assert lakehouse.lease() is None
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
    assert result["states"][-6:] == [
        "Build", "Build failed", "Release lease", "Run succeeded?", "Notify failure", "Run failed",
    ]  # fmt: skip
    assert result["queries"] == []
    assert lakehouse.lease() is None
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
    assert lakehouse.lease() is None


def _entered(outcome: dict, state: str) -> list:
    return [
        e["timestamp"]
        for e in outcome["history"]
        if e.get("stateEnteredEventDetails", {}).get("name") == state
    ]


def _exited(outcome: dict, state: str) -> list:
    return [
        e["timestamp"]
        for e in outcome["history"]
        if e.get("stateExitedEventDetails", {}).get("name") == state
    ]


def test_two_runs_started_at_once_take_turns_and_both_succeed(lakehouse):
    result = lakehouse.all(("run-1", "run-2"))

    runs = result["executions"]
    assert {name: r["status"] for name, r in runs.items()} == {
        "run-1": "SUCCEEDED",
        "run-2": "SUCCEEDED",
    }
    # one took the lake at once, the other waited until the first had released it
    [waiter] = [r for r in runs.values() if "Wait for the lake" in r["states"]]
    [holder] = [r for r in runs.values() if r is not waiter]
    assert holder["states"][:3] == ["Lease the lake", "Take lease", "Start"]
    assert "New holder" in waiter["states"]
    [released] = _exited(holder, "Release lease")
    [started] = _entered(waiter, "Start")
    assert started >= released
    # so no job start met a running job run, and none was retried
    failures = [
        e["taskFailedEventDetails"]
        for r in runs.values()
        for e in r["history"]
        if "taskFailedEventDetails" in e
    ]
    assert all("ConcurrentRuns" not in f["error"] + f.get("cause", "") for f in failures)
    assert len(result["glue_runs"]) == 8
    subjects = sorted(m["Subject"] for m in result["messages"])
    assert subjects == ["Lakehouse run succeeded", "Lakehouse run succeeded"]
    assert lakehouse.lease() is None


def test_a_lease_left_by_a_killed_run_expires(lakehouse):
    killed = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:lakehouse:killed"
    lakehouse.dynamodb.put_item(
        TableName="lakehouse-lease", Item={**LEASE, "holder": {"S": killed}}
    )

    result = lakehouse(expire_after=3)

    assert result["status"] == "SUCCEEDED"
    # seen three times, a wait apart, then taken over
    assert result["states"].count("Wait for the lake") == 2
    assert result["states"].index("Expire lease") < result["states"].index("Start")
    assert [m["Subject"] for m in result["messages"]] == ["Lakehouse run succeeded"]
    assert lakehouse.lease() is None


def test_a_run_that_never_gets_the_lake_fails_and_leaves_the_holder_alone(lakehouse):
    holder = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:lakehouse:long-run"
    lakehouse.dynamodb.put_item(
        TableName="lakehouse-lease", Item={**LEASE, "holder": {"S": holder}}
    )

    result = lakehouse(expire_after=100, max_tries=3)

    assert (result["status"], result["error"]) == ("FAILED", "Lease")
    assert result["glue_runs"] == [] and result["queries"] == []
    assert result["states"].count("Take lease") == 3
    [message] = result["messages"]
    assert message["Subject"] == "Lakehouse run failed at Lease"
    report = json.loads(message["Message"])
    assert report["error"] == "Lake.Busy"
    assert report["cause"].startswith(
        f"Another run held the lake through all 3 tries of this run (last holder {holder})"
    )
    assert "wait in incoming/ for the next run" in report["cause"]
    # the lease still names the run that holds it
    assert lakehouse.lease()["holder"] == {"S": holder}


def test_the_definition_times_out_every_task():
    states = json.loads(DEFINITION.read_text())["States"]
    tasks = [s for s in _all_states(states) if s["Type"] == "Task"]
    assert len(tasks) == 12
    assert all(0 < t["TimeoutSeconds"] <= 7200 for t in tasks)
    glue_tasks = [t for t in tasks if "glue:" in t["Resource"]]
    assert all("Glue.ThrottlingException" in t["Retry"][0]["ErrorEquals"] for t in glue_tasks)


def _all_states(states: dict):
    for state in states.values():
        yield state
        for branch in state.get("Branches", []):
            yield from _all_states(branch["States"])


ATHENA_QUERY_LIMIT = 1800  # Athena's DML query timeout (a service quota, 30 minutes by default)


def _longest(state: dict) -> float:
    """A task's timeout plus the backoff of all its retries (retried errors are those of
    starting a call, which end at once, so an attempt past the first costs its interval)."""
    backoff = sum(
        r["IntervalSeconds"] * r.get("BackoffRate", 2) ** k
        for r in state.get("Retry", [])
        for k in range(r["MaxAttempts"])
    )
    return state["TimeoutSeconds"] + backoff


def test_a_lease_expires_only_after_the_longest_hold_and_waiting_ends_before_the_run_does():
    machine = json.loads(DEFINITION.read_text())
    states = machine["States"]
    wait = states["Wait for the lake"]["Seconds"]
    expired, busy = states["Lease expired?"]["Choices"]
    expire_after, max_tries = expired["NumericGreaterThanEquals"], busy["NumericGreaterThanEquals"]
    ingest = max(
        _longest(s)
        for b in states["Ingest"]["Branches"]
        for s in b["States"].values()
        if "Retry" in s
    )
    hold = (
        ingest
        + sum(
            _longest(states[s])
            for s in (
                "Build",
                "Check Gold",
                "Get check status",
                "Get check figures",
                "Release lease",
            )
        )
        + ATHENA_QUERY_LIMIT
    )
    assert expire_after * wait >= hold  # a live holder's lease is never taken over
    assert max_tries > expire_after  # a dead holder's lease is taken before a waiter gives up
    assert machine["TimeoutSeconds"] >= max_tries * wait + hold
    comment = states["Lease the lake"]["Comment"]
    assert f"{expire_after} tries a minute apart" in comment and wait == 60
    assert f"after {max_tries} tries" in comment
