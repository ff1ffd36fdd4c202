"""After a deploy: a canary through the deployed pipeline, then Athena on Gold.

The canary is one header-only CSV per dataset under a name no delivery uses: it loads no
row, so no business figure changes, yet the trigger starts a run and the run goes through
every step (lease, the three ingestion jobs, dbt build, the Gold check, the report). The
test then waits for the run(s) the trigger started for those files, requires SUCCEEDED, and
counts `<EnvironmentName>_gold.daily_sales` with Athena in the stack's workgroup.

    python -m lakehouse.aws.smoke_test --stack lakehouse-prod
"""

import datetime as dt
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import boto3
import typer

from lakehouse.datasets import DATASETS


class SmokeTestError(RuntimeError):
    """The deployed pipeline failed the smoke test; the message says at which step."""


@dataclass(frozen=True)
class Stack:
    raw_bucket: str
    state_machine: str
    workgroup: str
    gold_database: str


def read_stack(cloudformation: Any, name: str) -> Stack:
    """The outputs the smoke test needs, from the deployed stack."""
    [stack] = cloudformation.describe_stacks(StackName=name)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    wanted = {
        "raw_bucket": "RawBucket",
        "state_machine": "StateMachine",
        "workgroup": "AthenaWorkGroup",
        "gold_database": "GoldDatabase",
    }
    missing = sorted(key for key in wanted.values() if key not in outputs)
    if missing:
        raise SmokeTestError(f"stack {name} has no output {', '.join(missing)}")
    return Stack(**{field: outputs[key] for field, key in wanted.items()})


def upload_canary(s3: Any, raw_bucket: str, tag: str) -> list[str]:
    """One header-only CSV per dataset in the landing folders; returns their keys."""
    keys = []
    for dataset in DATASETS.values():
        key = f"incoming/{dataset.name}/_smoke-test-{tag}.csv"
        header = ",".join(dataset.required_columns) + "\n"
        s3.put_object(Bucket=raw_bucket, Key=key, Body=header.encode())
        keys.append(key)
    return keys


def wait_for_runs(
    sfn: Any,
    state_machine: str,
    keys: list[str],
    started_after: dt.datetime,
    *,
    timeout: float,
    poll: float = 15,
    clock: Callable[[], float] = time.monotonic,
) -> list[dict]:
    """The executions the trigger started for `keys`, once all have ended.

    The trigger names the objects of its batch in the execution's input (`objects`, as
    `s3://bucket/key@etag`); the files may arrive in more than one batch, so every key must
    be in some execution started after `started_after`. Raises SmokeTestError when that has
    not happened, or the runs have not ended, within `timeout` seconds."""
    deadline = clock() + timeout
    found: dict[str, dict] = {}
    while True:
        pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=state_machine)
        for page in pages:
            for listed in page["executions"]:
                if listed["startDate"] < started_after or listed["executionArn"] in found:
                    continue
                execution = sfn.describe_execution(executionArn=listed["executionArn"])
                objects = json.loads(execution.get("input") or "{}").get("objects", [])
                if any(o.split("@")[0].endswith(f"/{key}") for o in objects for key in keys):
                    found[execution["executionArn"]] = execution
        for arn, execution in found.items():
            if execution["status"] == "RUNNING":
                found[arn] = sfn.describe_execution(executionArn=arn)
        covered = {
            key
            for execution in found.values()
            for o in json.loads(execution.get("input") or "{}").get("objects", [])
            for key in keys
            if o.split("@")[0].endswith(f"/{key}")
        }
        if covered == set(keys) and all(e["status"] != "RUNNING" for e in found.values()):
            return list(found.values())
        if clock() >= deadline:
            if covered != set(keys):
                waiting = ", ".join(sorted(set(keys) - covered))
                raise SmokeTestError(
                    f"no run of {state_machine} started for {waiting} within {timeout:.0f} s "
                    "of the upload: is the raw bucket's event notification to the trigger "
                    "queue in place, and the trigger function healthy?"
                )
            running = ", ".join(e["name"] for e in found.values() if e["status"] == "RUNNING")
            raise SmokeTestError(f"runs {running} still running after {timeout:.0f} s")
        time.sleep(poll)


def require_succeeded(executions: list[dict]) -> None:
    failed = [e for e in executions if e["status"] != "SUCCEEDED"]
    if failed:
        raise SmokeTestError(
            "; ".join(
                f"run {e['name']} ended {e['status']}: {e.get('error', '')} {e.get('cause', '')}"
                for e in failed
            )
        )


def count_gold(
    athena: Any,
    workgroup: str,
    database: str,
    *,
    timeout: float,
    poll: float = 2,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """`select count(*) from <database>.daily_sales` in `workgroup`; the count."""
    sql = f"select count(*) from {database}.daily_sales"
    query = athena.start_query_execution(
        QueryString=sql,
        WorkGroup=workgroup,
        QueryExecutionContext={"Database": database},
    )["QueryExecutionId"]
    deadline = clock() + timeout
    while (
        status := athena.get_query_execution(QueryExecutionId=query)["QueryExecution"]["Status"]
    )["State"] in ("QUEUED", "RUNNING"):
        if clock() >= deadline:
            raise SmokeTestError(f"Athena query {query} ({sql}) still running after {timeout} s")
        time.sleep(poll)
    if status["State"] != "SUCCEEDED":
        reason = status.get("StateChangeReason", "no reason given")
        raise SmokeTestError(f"Athena query {query} ({sql}) ended {status['State']}: {reason}")
    rows = athena.get_query_results(QueryExecutionId=query)["ResultSet"]["Rows"]
    return int(rows[1]["Data"][0]["VarCharValue"])  # row 0 holds the column names


def smoke_test(
    session: Any, stack_name: str, *, run_timeout: float, query_timeout: float, poll: float
) -> str:
    """The whole smoke test; returns what passed, for the log."""
    stack = read_stack(session.client("cloudformation"), stack_name)
    started_after = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)  # clock skew
    keys = upload_canary(session.client("s3"), stack.raw_bucket, uuid.uuid4().hex[:12])
    runs = wait_for_runs(
        session.client("stepfunctions"),
        stack.state_machine,
        keys,
        started_after,
        timeout=run_timeout,
        poll=poll,
    )
    require_succeeded(runs)
    rows = count_gold(
        session.client("athena"), stack.workgroup, stack.gold_database, timeout=query_timeout
    )
    names = ", ".join(e["name"] for e in runs)
    return f"canary run {names} succeeded; {stack.gold_database}.daily_sales has {rows} rows"


def main(
    stack: Annotated[str, typer.Option(help="CloudFormation stack, e.g. lakehouse-prod")],
    run_timeout: Annotated[
        int, typer.Option(help="Seconds to wait for the canary's run (batching window included)")
    ] = 2700,
    query_timeout: Annotated[int, typer.Option(help="Seconds to wait for Athena")] = 300,
    poll: Annotated[int, typer.Option(help="Seconds between looks at the runs")] = 15,
) -> None:
    """Send a canary through the deployed pipeline and query Gold with Athena."""
    try:
        summary = smoke_test(
            boto3.Session(),
            stack,
            run_timeout=run_timeout,
            query_timeout=query_timeout,
            poll=poll,
        )
    except SmokeTestError as e:
        typer.echo(f"smoke test failed: {e}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"smoke test passed: {summary}")


if __name__ == "__main__":
    typer.run(main)
