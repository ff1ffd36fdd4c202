"""The S3 trigger Lambda against moto's SQS-shaped events, DynamoDB and Step Functions."""

import json

import pytest

from lakehouse.aws.trigger import MalformedEventError, handler

pytestmark = pytest.mark.aws

STATE_MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:lakehouse"


@pytest.fixture
def lake(aws, monkeypatch):
    """A state machine and a claims table; returns the Step Functions client."""
    sfn = aws("stepfunctions")
    sfn.create_state_machine(
        name="lakehouse",
        definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
        roleArn="arn:aws:iam::123456789012:role/lakehouse-states",
    )
    aws("dynamodb").create_table(
        TableName="claims",
        KeySchema=[{"AttributeName": "object", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "object", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    monkeypatch.setenv("STATE_MACHINE_ARN", STATE_MACHINE)
    monkeypatch.setenv("CLAIMS_TABLE", "claims")
    return sfn


def s3_event(*objects: tuple[str, str], event: str = "ObjectCreated:Put") -> dict:
    records = [
        {"eventName": event, "s3": {"bucket": {"name": "raw"}, "object": {"key": k, "eTag": e}}}
        for k, e in objects
    ]
    return {"Records": records}


def sqs_batch(*bodies: dict | str) -> dict:
    return {
        "Records": [
            {"messageId": f"m{i}", "body": b if isinstance(b, str) else json.dumps(b)}
            for i, b in enumerate(bodies)
        ]
    }


def runs(sfn) -> list[dict]:
    executions = sfn.list_executions(stateMachineArn=STATE_MACHINE)["executions"]
    return [
        json.loads(sfn.describe_execution(executionArn=e["executionArn"])["input"])
        for e in executions
    ]


def test_one_object_starts_one_run(lake):
    result = handler(sqs_batch(s3_event(("incoming/orders/day+1.csv", "e1"))), None)

    assert result["new_objects"] == 1 and result["batchItemFailures"] == []
    assert runs(lake) == [{"objects": ["s3://raw/incoming/orders/day 1.csv@e1"]}]


def test_a_burst_of_files_in_one_batch_starts_one_run(lake):
    burst = [s3_event((f"incoming/order_items/part-{i}.csv", f"e{i}")) for i in range(50)]

    result = handler(sqs_batch(*burst), None)

    assert result["new_objects"] == 50
    assert [len(r["objects"]) for r in runs(lake)] == [50]


def test_duplicate_events_start_no_second_run(lake):
    event = s3_event(("incoming/orders/a.csv", "e1"))
    first = handler(sqs_batch(event, event), None)  # S3 delivered it twice in one batch
    redelivered = handler(sqs_batch(event, event), None)  # SQS hands the same batch again
    in_a_burst = handler(sqs_batch(event, s3_event(("incoming/orders/b.csv", "e1"))), None)

    assert (first["new_objects"], first["duplicates"]) == (1, 0)
    assert (redelivered["new_objects"], redelivered["execution"]) == (0, first["execution"])
    assert (in_a_burst["new_objects"], in_a_burst["duplicates"]) == (1, 1)
    assert sorted(r["objects"] for r in runs(lake)) == [
        ["s3://raw/incoming/orders/a.csv@e1"],
        ["s3://raw/incoming/orders/b.csv@e1"],
    ]


def test_a_new_version_of_an_object_is_a_new_run(lake):
    handler(sqs_batch(s3_event(("incoming/orders/a.csv", "e1"))), None)
    handler(sqs_batch(s3_event(("incoming/orders/a.csv", "e2"))), None)

    assert len(runs(lake)) == 2


def test_a_batch_redelivered_after_a_crash_before_the_start_starts_its_run(lake, monkeypatch):
    batch = sqs_batch(s3_event(("incoming/orders/a.csv", "e1")))

    def crash(*args, **kwargs):
        raise TimeoutError("the function timed out")

    with monkeypatch.context() as patched:  # claims written, then the start never happened
        patched.setattr("botocore.client.BaseClient._make_api_call", _crash_on_start(crash))
        with pytest.raises(TimeoutError):
            handler(batch, None)
    assert runs(lake) == []

    assert handler(batch, None)["new_objects"] == 0  # claimed before the crash
    assert len(runs(lake)) == 1


def _crash_on_start(crash):
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    def call(self, operation, params):
        if operation == "StartExecution":
            crash()
        return original(self, operation, params)

    return call


def test_malformed_messages_are_named_and_the_rest_still_runs(lake):
    batch = sqs_batch(
        "not json",
        {"Records": [{"eventName": "ObjectRemoved:Delete", "s3": {}}]},
        {"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": "raw"}}}]},
        {"Event": "s3:TestEvent"},
        s3_event(("incoming/products/p.csv", "e9")),
    )

    result = handler(batch, None)

    assert result["batchItemFailures"] == [
        {"itemIdentifier": "m0"},
        {"itemIdentifier": "m1"},
        {"itemIdentifier": "m2"},
    ]
    assert result["errors"][0].startswith("message m0: body is not JSON")
    assert result["errors"][1:] == [
        "message m1, record 0: eventName 'ObjectRemoved:Delete' is not ObjectCreated:*",
        "message m2, record 0: missing s3 field 'object'",
    ]
    assert runs(lake) == [{"objects": ["s3://raw/incoming/products/p.csv@e9"]}]


def test_an_event_that_is_not_an_sqs_batch_is_refused(lake):
    with pytest.raises(MalformedEventError, match="event is not an SQS batch: no 'Records' list"):
        handler({"detail-type": "Object Created"}, None)
    assert runs(lake) == []
