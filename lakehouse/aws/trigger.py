"""Lambda: start one state machine run per batch of new raw objects.

S3 sends ObjectCreated events to an SQS queue; the queue hands them to this function in
batches (a batching window of a minute or two), so a burst of files starts one run, not one
per file. Each object is claimed in a DynamoDB table under its key and ETag, conditionally:
an object already claimed by another batch is a duplicate event and starts nothing. The run's
name is derived from the batch's keys and ETags, so when SQS delivers the same batch again
(after a timeout or a crash between claiming and starting), the claims match that name and the
start either happens then or answers ExecutionAlreadyExists, which means it already happened.

Environment: STATE_MACHINE_ARN, CLAIMS_TABLE, CLAIM_DAYS (how long a claim is kept).
"""

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass
from urllib.parse import unquote_plus

import boto3


class MalformedEventError(ValueError):
    """An event that is not an S3 ObjectCreated notification; the message says which part."""


@dataclass(frozen=True, order=True)
class RawObject:
    bucket: str
    key: str
    etag: str

    @property
    def claim_id(self) -> str:
        return f"s3://{self.bucket}/{self.key}@{self.etag}"


def objects_in(message_id: str, body: str) -> list[RawObject]:
    """The objects an SQS message body announces (S3 may pack several records in one)."""
    try:
        notification = json.loads(body)
    except json.JSONDecodeError as e:
        raise MalformedEventError(f"message {message_id}: body is not JSON ({e})") from None
    if not isinstance(notification, dict):
        raise MalformedEventError(f"message {message_id}: body is not a JSON object")
    if notification.get("Event") == "s3:TestEvent":
        return []  # sent once by S3 when the notification is configured
    records = notification.get("Records")
    if not isinstance(records, list) or not records:
        raise MalformedEventError(f"message {message_id}: no 'Records' list of S3 events")
    objects = []
    for index, record in enumerate(records):
        where = f"message {message_id}, record {index}"
        event = record.get("eventName", "") if isinstance(record, dict) else ""
        if not event.startswith("ObjectCreated:"):
            raise MalformedEventError(f"{where}: eventName '{event}' is not ObjectCreated:*")
        try:
            s3 = record["s3"]
            objects.append(
                RawObject(
                    bucket=s3["bucket"]["name"],
                    key=unquote_plus(s3["object"]["key"]),  # S3 URL-encodes keys in events
                    etag=s3["object"]["eTag"],
                )
            )
        except (KeyError, TypeError) as e:
            raise MalformedEventError(f"{where}: missing s3 field {e}") from None
    return objects


def run_name(objects: list[RawObject]) -> str:
    """A valid execution name (at most 80 characters) that only this set of objects gets."""
    digest = hashlib.sha256("\n".join(o.claim_id for o in sorted(objects)).encode())
    return f"objects-{digest.hexdigest()[:48]}"


def claim(table, obj: RawObject, name: str, claim_days: int) -> str:
    """Claim `obj` for run `name`: "new", "held" (this run claimed it before: the same batch
    delivered again) or "taken" (another run has it: a duplicate event)."""
    try:
        response = table.put_item(
            Item={
                "object": obj.claim_id,
                "execution": name,
                "expires_at": int(time.time()) + claim_days * 86400,
            },
            ConditionExpression="attribute_not_exists(#object) OR #execution = :name",
            ExpressionAttributeNames={"#object": "object", "#execution": "execution"},
            ExpressionAttributeValues={":name": name},
            ReturnValues="ALL_OLD",
        )
    except table.meta.client.exceptions.ConditionalCheckFailedException:
        return "taken"
    return "held" if "Attributes" in response else "new"


def start_run(event: dict, sfn, table, state_machine_arn: str, claim_days: int) -> dict:
    """Start (at most) one run for the batch; report what happened to each message."""
    if not isinstance(event, dict) or not isinstance(event.get("Records"), list):
        raise MalformedEventError("event is not an SQS batch: no 'Records' list")
    objects: set[RawObject] = set()
    failures, errors = [], []
    for message in event["Records"]:
        message_id = message.get("messageId", "?") if isinstance(message, dict) else "?"
        try:
            objects.update(objects_in(message_id, message.get("body", "")))
        except MalformedEventError as e:
            errors.append(str(e))
            failures.append({"itemIdentifier": message_id})
    name = run_name(sorted(objects))
    claims = {o: claim(table, o, name, claim_days) for o in sorted(objects)}
    ours = [o for o, state in claims.items() if state != "taken"]
    if ours:
        # Idempotent for the same name and input while the run is open; once it has ended,
        # the same start answers ExecutionAlreadyExists. Either way the run exists once.
        with contextlib.suppress(sfn.exceptions.ExecutionAlreadyExists):
            sfn.start_execution(
                stateMachineArn=state_machine_arn,
                name=name,
                input=json.dumps({"objects": [o.claim_id for o in ours]}),
            )
    for error in errors:
        print(f"rejected: {error}")
    return {
        # SQS retries only these messages, then moves them to the dead-letter queue.
        "batchItemFailures": failures,
        "execution": name if ours else None,
        "new_objects": sum(1 for state in claims.values() if state == "new"),
        "duplicates": sum(1 for state in claims.values() if state == "taken"),
        "errors": errors,
    }


def handler(event: dict, context: object) -> dict:
    return start_run(
        event,
        boto3.client("stepfunctions"),
        boto3.resource("dynamodb").Table(os.environ["CLAIMS_TABLE"]),
        os.environ["STATE_MACHINE_ARN"],
        int(os.environ.get("CLAIM_DAYS", "90")),
    )
