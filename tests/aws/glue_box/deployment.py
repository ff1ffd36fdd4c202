"""The CloudFormation template's resources stood up in moto and the box, with the code
uploaded as aws/deploy.sh uploads it: what the end-to-end test runs is what is deployed.

CloudFormation itself is not run (moto cannot run the template's SAM transform); the
intrinsic functions the template uses are resolved here, and each resource the pipeline
touches is created with the boto3 call CloudFormation would make for it.
"""

import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cfnlint.decode import cfn_yaml

from lakehouse.transform.dbt_runner import PROJECT_DIR

TEMPLATE = PROJECT_DIR / "aws" / "cloudformation" / "lakehouse.yaml"
DEFINITION = PROJECT_DIR / "aws" / "stepfunctions" / "pipeline.asl.json"
ACCOUNT, REGION = "123456789012", "us-east-1"
ARTIFACTS = PROJECT_DIR / "aws" / "artifacts"  # what aws/deploy.sh zips, a list per artifact


class Template:
    """The template with its parameters, resolving Ref, Sub, GetAtt, If, Not and Equals."""

    def __init__(self, parameters: dict[str, str]):
        self.doc = cfn_yaml.load(str(TEMPLATE))
        defaults = {k: str(v.get("Default", "")) for k, v in self.doc["Parameters"].items()}
        self.parameters = defaults | parameters
        self.resources = self.doc["Resources"]

    def properties(self, logical_id: str) -> dict:
        return self.resolve(self.resources[logical_id].get("Properties", {}))

    def of_type(self, kind: str) -> list[str]:
        return [n for n, r in self.resources.items() if r["Type"] == kind]

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Fn::Sub":
                return self.sub(argument)
            if key == "Fn::GetAtt":
                name, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
                return self.get_att(name, attribute)
            if key == "Fn::If":
                condition, then, otherwise = argument
                return self.resolve(then if self.condition(condition) else otherwise)
            if key == "Fn::Not":
                return not self.resolve(argument[0])
            if key == "Fn::Equals":
                return self.resolve(argument[0]) == self.resolve(argument[1])
            if key == "Condition":
                return self.condition(argument)
        return {k: self.resolve(v) for k, v in value.items()}

    def condition(self, name: str) -> bool:
        return self.resolve(self.doc["Conditions"][name])

    def sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        variables = {k: self.resolve(v) for k, v in variables.items()}

        def value(name: str) -> str:
            if name in variables:
                return str(variables[name])
            if "." in name:
                return str(self.get_att(*name.split(".", 1)))
            return str(self.ref(name))

        out, rest = "", text
        while "${" in rest:
            before, _, rest = rest.partition("${")
            name, _, rest = rest.partition("}")
            out += before + value(name)
        return out + rest

    def ref(self, name: str) -> str:
        pseudo = {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::Partition": "aws"}
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        kind = self.resources[name]["Type"]
        properties = self.resources[name].get("Properties", {})
        names = {
            "AWS::S3::Bucket": "BucketName", "AWS::Glue::Job": "Name",
            "AWS::DynamoDB::Table": "TableName", "AWS::Athena::WorkGroup": "Name",
            "AWS::Logs::LogGroup": "LogGroupName",
        }  # fmt: skip
        if kind in names:
            return self.resolve(properties[names[kind]])
        if kind == "AWS::SNS::Topic":
            return f"arn:aws:sns:{REGION}:{ACCOUNT}:{self.resolve(properties['TopicName'])}"
        if kind == "AWS::Serverless::StateMachine":
            return (
                f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{self.resolve(properties['Name'])}"
            )
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{self.resolve(properties['QueueName'])}"
        return name

    def get_att(self, name: str, attribute: str) -> str:
        kind = self.resources[name]["Type"]
        properties = self.resources[name].get("Properties", {})
        if attribute != "Arn":
            return self.ref(name)
        if kind == "AWS::S3::Bucket":
            return f"arn:aws:s3:::{self.ref(name)}"
        if kind == "AWS::IAM::Role":
            role = self.resolve(properties.get("RoleName", name))
            return f"arn:aws:iam::{ACCOUNT}:role/{role}"
        if kind == "AWS::SQS::Queue":
            return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{self.resolve(properties['QueueName'])}"
        if kind == "AWS::DynamoDB::Table":
            return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{self.ref(name)}"
        return self.ref(name)


@dataclass
class Deployment:
    template: Template
    raw_bucket: str
    lake_bucket: str
    state_machine: str
    queue_url: str
    inbox_url: str  # an SQS queue subscribed to the alert topic: the SNS messages
    claims_table: str
    database_prefix: str


def deploy(aws, environment: str, code_version: str, work: Path) -> Deployment:
    template = Template({"EnvironmentName": environment, "CodeVersion": code_version})
    s3, glue = aws("s3"), aws("glue")
    for bucket in template.of_type("AWS::S3::Bucket"):
        s3.create_bucket(Bucket=template.ref(bucket))
    for database in template.of_type("AWS::Glue::Database"):
        glue.create_database(DatabaseInput=template.properties(database)["DatabaseInput"])
    upload_code(s3, template, code_version, work)
    for job in template.of_type("AWS::Glue::Job"):
        p = template.properties(job)
        glue.create_job(
            Name=p["Name"], Role=p["Role"], Command=p["Command"],
            DefaultArguments=p["DefaultArguments"], ExecutionProperty=p["ExecutionProperty"],
            GlueVersion=p["GlueVersion"],
        )  # fmt: skip
    dynamodb = aws("dynamodb")
    for table in template.of_type("AWS::DynamoDB::Table"):
        p = template.properties(table)
        dynamodb.create_table(
            TableName=p["TableName"], AttributeDefinitions=p["AttributeDefinitions"],
            KeySchema=p["KeySchema"], BillingMode="PAY_PER_REQUEST",
        )  # fmt: skip
    sqs = aws("sqs")
    [queue] = [
        q
        for q in template.of_type("AWS::SQS::Queue")
        if "RedrivePolicy" in template.resources[q]["Properties"]
    ]
    queue_url = sqs.create_queue(QueueName=template.properties(queue)["QueueName"])["QueueUrl"]
    raw = template.properties("RawBucket")
    notification = raw["NotificationConfiguration"]
    s3.put_bucket_notification_configuration(
        Bucket=raw["BucketName"],
        NotificationConfiguration={
            "QueueConfigurations": [
                {"QueueArn": q["Queue"], "Events": [q["Event"]],
                 "Filter": {"Key": {"FilterRules": q["Filter"]["S3Key"]["Rules"]}}}
                for q in notification["QueueConfigurations"]
            ]
        },
    )  # fmt: skip
    sns = aws("sns")
    [topic] = template.of_type("AWS::SNS::Topic")
    topic_arn = sns.create_topic(Name=template.properties(topic)["TopicName"])["TopicArn"]
    inbox = sqs.create_queue(QueueName="alerts-inbox")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=inbox_arn["Attributes"]["QueueArn"])
    [workgroup] = template.of_type("AWS::Athena::WorkGroup")
    wg = template.properties(workgroup)
    aws("athena").create_work_group(
        Name=wg["Name"],
        Configuration={"ResultConfiguration": wg["WorkGroupConfiguration"]["ResultConfiguration"]},
    )
    [machine] = template.of_type("AWS::Serverless::StateMachine")
    p = template.properties(machine)
    definition = DEFINITION.read_text()
    for name, value in p["DefinitionSubstitutions"].items():
        definition = definition.replace("${" + name + "}", str(value))
    arn = aws("stepfunctions").create_state_machine(
        name=p["Name"], definition=definition, roleArn=f"arn:aws:iam::{ACCOUNT}:role/states"
    )["stateMachineArn"]
    return Deployment(
        template=template,
        raw_bucket=template.ref("RawBucket"),
        lake_bucket=template.ref("LakeBucket"),
        state_machine=arn,
        queue_url=queue_url,
        inbox_url=inbox,
        claims_table=template.ref("ClaimsTable"),
        database_prefix=f"{environment}_",
    )


def upload_code(s3, template: Template, version: str, work: Path) -> None:
    """aws/deploy.sh's uploads, from the files git would commit."""
    bucket = template.ref("ArtifactsBucket")
    code = f"code/{version}"
    for local, key in [
        (PROJECT_DIR / "lakehouse" / "aws" / "s3_ingest.py", f"{code}/glue/s3_ingest.py"),
        (PROJECT_DIR / "lakehouse" / "aws" / "dbt_job.py", f"{code}/glue/dbt_job.py"),
        (artifact("glue-jobs", work / "lakehouse.zip"), f"{code}/glue/lakehouse.zip"),
        (artifact("dbt-project", work / "dbt-project.zip"), f"{code}/dbt/project.zip"),
    ]:
        s3.upload_file(str(local), bucket, key)


def artifact(name: str, target: Path) -> Path:
    """The zip aws/deploy.sh builds from aws/artifacts/NAME.txt, from the files git would
    commit (the working tree, so that a test sees uncommitted changes)."""
    lines = (ARTIFACTS / f"{name}.txt").read_text().splitlines()
    paths = [line for line in lines if line and not line.startswith("#")]
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", *paths],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    with zipfile.ZipFile(target, "w") as zipped:
        for file in files:
            if (PROJECT_DIR / file).is_file():
                zipped.write(PROJECT_DIR / file, file)
    return target


def sqs_event(messages: list[dict]) -> dict:
    """The event Lambda's SQS poller hands the trigger function for these messages."""
    return {
        "Records": [
            {"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
             "eventSource": "aws:sqs"}
            for m in messages
        ]
    }  # fmt: skip
