"""The CloudFormation template: cfn-lint, and the rules of the house it must keep."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cfnlint.decode import cfn_yaml

from lakehouse.datasets import DATASETS
from lakehouse.transform.dbt_runner import PROJECT_DIR

pytestmark = pytest.mark.aws

TEMPLATES = sorted((PROJECT_DIR / "aws" / "cloudformation").glob("*.yaml"))
DEFINITION = PROJECT_DIR / "aws" / "stepfunctions" / "pipeline.asl.json"


def resources(kind: str) -> dict[str, dict]:
    template = cfn_yaml.load(str(TEMPLATES[0]))
    return {n: r for n, r in template["Resources"].items() if r["Type"] == kind}


def cfn_lint(*paths: Path) -> subprocess.CompletedProcess:
    lint = Path(sys.executable).parent / "cfn-lint"
    return subprocess.run([str(lint), *map(str, paths)], capture_output=True, text=True)


def test_every_template_passes_cfn_lint():
    assert [t.name for t in TEMPLATES] == ["lakehouse.yaml"]
    result = cfn_lint(*TEMPLATES)
    assert result.returncode == 0, result.stdout
    assert "cfn-lint" not in TEMPLATES[0].read_text()  # no suppressions


def test_the_state_machine_definition_passes_cfn_lint(tmp_path):
    """cfn-lint checks an ASL definition written inline; the template keeps it in a file."""
    template = {
        "Resources": {
            "Machine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "RoleArn": "arn:aws:iam::123456789012:role/states",
                    "Definition": json.loads(DEFINITION.read_text()),
                    "DefinitionSubstitutions": {
                        name: "x" for name in re.findall(r"\$\{(\w+)\}", DEFINITION.read_text())
                    },
                },
            }
        }
    }
    inline = tmp_path / "machine.json"
    inline.write_text(json.dumps(template))
    result = cfn_lint(inline)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("bucket", sorted(resources("AWS::S3::Bucket")))
def test_every_bucket_is_encrypted_private_tls_only_and_expires_data(bucket):
    properties = resources("AWS::S3::Bucket")[bucket]["Properties"]
    [rule] = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert set(properties["PublicAccessBlockConfiguration"].values()) == {True}
    assert properties["LifecycleConfiguration"]["Rules"]
    [policy] = [
        p["Properties"]["PolicyDocument"]
        for p in resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket}
    ]
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Deny" and statement["Action"] == "s3:*"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statement["Resource"] == [
        {"Fn::GetAtt": [bucket, "Arn"]},
        {"Fn::Sub": f"${{{bucket}.Arn}}/*"},
    ]


def test_the_archive_and_rejected_files_move_to_glacier_then_expire():
    rules = {
        r["Id"]: r for r in resources("AWS::S3::Bucket")["RawBucket"]["Properties"]
        ["LifecycleConfiguration"]["Rules"]
    }  # fmt: skip
    assert rules["archive"]["Prefix"] == "archive/"
    assert rules["archive"]["Transitions"][0]["StorageClass"] == "GLACIER_IR"
    assert rules["rejected"]["ExpirationInDays"] == {"Ref": "ArchiveExpirationDays"}


# Step Functions sets up log delivery with calls that take no resource ARN.
LOG_DELIVERY = [
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
]


def test_no_role_allows_every_action_or_a_wildcard_resource_beyond_metrics():
    statements = [
        (role, s)
        for role, r in resources("AWS::IAM::Role").items()
        for policy in r["Properties"]["Policies"]
        for s in policy["PolicyDocument"]["Statement"]
    ]
    assert len(statements) > 10
    for role, statement in statements:
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        assert not any(a == "*" or a.endswith(":*") for a in actions), (role, statement)
        if statement["Resource"] == "*" and actions != LOG_DELIVERY:
            assert actions == ["cloudwatch:PutMetricData"], (role, statement)
            assert "cloudwatch:namespace" in statement["Condition"]["StringEquals"]


def test_the_athena_workgroup_enforces_its_result_location():
    [workgroup] = resources("AWS::Athena::WorkGroup").values()
    configuration = workgroup["Properties"]["WorkGroupConfiguration"]
    assert configuration["EnforceWorkGroupConfiguration"] is True
    assert configuration["ResultConfiguration"]["OutputLocation"] == {
        "Fn::Sub": "s3://${AthenaResultsBucket}/results/"
    }


def test_one_ingestion_job_per_dataset_named_as_the_state_machine_starts_it():
    [machine] = resources("AWS::Serverless::StateMachine").values()
    substitutions = machine["Properties"]["DefinitionSubstitutions"]
    assert set(substitutions) == set(re.findall(r"\$\{(\w+)\}", DEFINITION.read_text()))
    prefix = substitutions["IngestJobName"]["Fn::Sub"]
    jobs = resources("AWS::Glue::Job")
    names = [j["Properties"]["Name"]["Fn::Sub"] for j in jobs.values()]
    assert sorted(n for n in names if "-ingest-" in n) == sorted(f"{prefix}-{d}" for d in DATASETS)
    assert all(
        j["Properties"]["ExecutionProperty"]["MaxConcurrentRuns"] == 1 for j in jobs.values()
    )
    assert all(j["Properties"]["GlueVersion"] == "5.0" for j in jobs.values())


def test_the_glue_jobs_install_the_locked_versions():
    locked = dict(
        re.findall(
            r"^([a-z0-9-]+)==([^ ]+) ", (PROJECT_DIR / "requirements.lock").read_text(), re.M
        )
    )
    template = cfn_yaml.load(str(TEMPLATES[0]))
    for parameter in ("IngestPythonModules", "DbtPythonModules"):
        pins = dict(p.split("==") for p in template["Parameters"][parameter]["Default"].split(","))
        assert pins == {name: locked[name] for name in pins}, parameter


LAYERS = ("bronze", "staging", "silver", "quarantine", "gold", "snapshots", "reference")


def test_every_glue_database_carries_the_environment_and_lives_at_its_own_folder():
    """Several environments share an account and region: `prod_silver` beside `dev_silver`,
    each in its own lake bucket at warehouse/<database>, where the jobs put its tables."""
    databases = {
        d["Properties"]["DatabaseInput"]["Name"]["Fn::Sub"]: d["Properties"]["DatabaseInput"]
        for d in resources("AWS::Glue::Database").values()
    }
    assert sorted(databases) == sorted(
        f"${{EnvironmentName}}_{layer}" for layer in (*LAYERS, "test_failures")
    )
    for name, database in databases.items():
        assert database["LocationUri"] == {"Fn::Sub": f"s3://${{LakeBucket}}/warehouse/{name}"}


def test_environment_names_are_valid_in_database_and_bucket_names():
    pattern = cfn_yaml.load(str(TEMPLATES[0]))["Parameters"]["EnvironmentName"]["AllowedPattern"]
    for good in ("prod", "staging2"):
        assert re.fullmatch(pattern, good), (good, "EnvironmentName's AllowedPattern")
    # a hyphen breaks the unquoted identifier prod-eu_silver; buckets take no underscore
    for bad in ("prod-eu", "prod_eu", "Prod", "2prod"):
        assert not re.fullmatch(pattern, bad), (bad, "EnvironmentName's AllowedPattern")


def test_the_jobs_and_the_gold_check_use_the_environments_databases():
    jobs = resources("AWS::Glue::Job")
    assert len(jobs) == len(DATASETS) + 1
    for name, job in jobs.items():
        arguments = job["Properties"]["DefaultArguments"]
        assert arguments.get("--database_prefix") == {"Fn::Sub": "${EnvironmentName}_"}, name
    [machine] = resources("AWS::Serverless::StateMachine").values()
    substitutions = machine["Properties"]["DefinitionSubstitutions"]
    assert substitutions["DatabasePrefix"] == {"Fn::Sub": "${EnvironmentName}_"}
    sql = json.loads(DEFINITION.read_text())["States"]["Start"]["Parameters"]["gold_check_sql"]
    tables = re.findall(r"(?:from|join) (\S+\.\S+)", sql)
    assert tables and all(t.startswith("${DatabasePrefix}") for t in tables), tables


def catalog_resources(role: str, sid: str) -> list[str]:
    [statement] = [
        s
        for p in resources("AWS::IAM::Role")[role]["Properties"]["Policies"]
        for s in p["PolicyDocument"]["Statement"]
        if s.get("Sid") == sid
    ]
    arn = "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:"
    assert all(r["Fn::Sub"].startswith(arn) for r in statement["Resource"]), (role, sid)
    return [r["Fn::Sub"].removeprefix(arn) for r in statement["Resource"]]


@pytest.mark.parametrize(
    ("role", "sid"), [("GlueRole", "Catalog"), ("StateMachineRole", "AthenaReadsCatalog")]
)
def test_the_catalog_permissions_stop_at_the_environments_databases(role, sid):
    assert catalog_resources(role, sid) == [
        "catalog",
        "database/${EnvironmentName}_*",
        "table/${EnvironmentName}_*/*",
    ]


def statements(role: str) -> dict[str, dict]:
    [policy] = resources("AWS::IAM::Role")[role]["Properties"]["Policies"]
    return {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}


def test_the_state_machine_leases_the_lake_in_its_own_table():
    [machine] = resources("AWS::Serverless::StateMachine").values()
    assert machine["Properties"]["DefinitionSubstitutions"]["LeaseTable"] == {"Ref": "LeaseTable"}
    table = resources("AWS::DynamoDB::Table")["LeaseTable"]["Properties"]
    assert table["KeySchema"] == [{"AttributeName": "lease", "KeyType": "HASH"}]
    assert table["BillingMode"] == "PAY_PER_REQUEST" and table["SSESpecification"]["SSEEnabled"]
    lease = statements("StateMachineRole")["Lease"]
    assert sorted(lease["Action"]) == [
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
    ]
    assert lease["Resource"] == {"Fn::GetAtt": ["LeaseTable", "Arn"]}
    # the definition uses exactly these calls
    used = set(re.findall(r"arn:aws:states:::dynamodb:(\w+)", DEFINITION.read_text()))
    assert {f"dynamodb:{a[0].upper()}{a[1:]}" for a in used} == set(lease["Action"])


def test_every_job_run_gets_the_code_version_deploy_uploaded():
    code = "s3://${ArtifactsBucket}/code/${CodeVersion}"
    jobs = resources("AWS::Glue::Job")
    for name, job in jobs.items():
        location = job["Properties"]["Command"]["ScriptLocation"]["Fn::Sub"]
        assert location.startswith(f"{code}/glue/"), name
        arguments = job["Properties"]["DefaultArguments"]
        assert arguments["--extra-py-files"] == {"Fn::Sub": f"{code}/glue/lakehouse.zip"}, name
    assert jobs["DbtJob"]["Properties"]["DefaultArguments"]["--project_zip"] == {
        "Fn::Sub": f"{code}/dbt/project.zip"
    }
    # the state machine names no code: a run's jobs take their own defaults
    glue_tasks = {
        name: state["Parameters"]["Arguments"]
        for name, state in _all_states(json.loads(DEFINITION.read_text()))
        if state.get("Resource", "").startswith("arn:aws:states:::glue:")
    }
    assert len(glue_tasks) == len(jobs)
    for name, passed in glue_tasks.items():
        assert {a.removesuffix(".$") for a in passed} <= {"--dataset", "--run_id"}, name
    # before the first upload (CodeVersion empty) no raw file starts a run
    template = cfn_yaml.load(str(TEMPLATES[0]))
    assert template["Conditions"]["CodeUploaded"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "CodeVersion"}, ""]}]
    }
    notification = resources("AWS::S3::Bucket")["RawBucket"]["Properties"][
        "NotificationConfiguration"
    ]
    condition, events, none = notification["Fn::If"]
    assert condition == "CodeUploaded" and none == {"Ref": "AWS::NoValue"}
    assert events["QueueConfigurations"][0]["Queue"] == {"Fn::GetAtt": ["TriggerQueue", "Arn"]}


def _all_states(definition: dict):
    """Every state of a definition, those of Parallel branches too."""
    for name, state in definition["States"].items():
        yield name, state
        for branch in state.get("Branches", ()):
            yield from _all_states(branch)


def test_the_state_machine_logs_failed_states_with_their_data_for_90_days():
    [machine] = resources("AWS::Serverless::StateMachine").values()
    logging = machine["Properties"]["Logging"]
    assert logging["Level"] in ("ERROR", "ALL") and logging["IncludeExecutionData"] is True
    [destination] = logging["Destinations"]
    assert destination["CloudWatchLogsLogGroup"]["LogGroupArn"] == {
        "Fn::GetAtt": ["StateMachineLogGroup", "Arn"]
    }
    group = resources("AWS::Logs::LogGroup")["StateMachineLogGroup"]["Properties"]
    assert group["RetentionInDays"] == 90
    assert group["LogGroupName"]["Fn::Sub"].startswith("/aws/vendedlogs/states/")
    assert statements("StateMachineRole")["LogDelivery"]["Action"] == LOG_DELIVERY


def alarm_metrics(alarm: dict) -> set[tuple[str, str, str]]:
    """(namespace, metric, dimension value's resource) of an alarm, plain or metric math."""
    properties = alarm["Properties"]
    stats = [m["MetricStat"]["Metric"] for m in properties.get("Metrics", []) if "MetricStat" in m]
    if "MetricName" in properties:
        stats.append(properties)
    found = set()
    for stat in stats:
        [dimension] = stat["Dimensions"]
        value = dimension["Value"]
        resource = value.get("Ref") or value.get("Fn::GetAtt", [None])[0]
        found.add((stat["Namespace"], stat["MetricName"], resource))
    return found


def test_alarms_watch_the_dead_letter_queue_and_failed_timed_out_or_aborted_runs():
    alarms = resources("AWS::CloudWatch::Alarm")
    assert all(a["Properties"]["AlarmActions"] == [{"Ref": "AlertTopic"}] for a in alarms.values())
    assert all(a["Properties"]["TreatMissingData"] == "notBreaching" for a in alarms.values())
    dead_letters = alarms["DeadLetterAlarm"]
    assert alarm_metrics(dead_letters) == {
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "TriggerDeadLetterQueue")
    }
    assert dead_letters["Properties"]["Threshold"] == 1
    runs = alarms["RunsFailedAlarm"]
    assert alarm_metrics(runs) == {
        ("AWS/States", metric, "PipelineStateMachine")
        for metric in ("ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted")
    }
    [expression] = [m for m in runs["Properties"]["Metrics"] if "Expression" in m]
    assert sorted(expression["Expression"].replace(" ", "").split("+")) == [
        "aborts", "failures", "timeouts",
    ]  # fmt: skip
    assert runs["Properties"]["Threshold"] == 1


def test_failed_glue_job_runs_of_this_environment_reach_the_topic():
    rule = resources("AWS::Events::Rule")["GlueJobFailedRule"]["Properties"]
    pattern = rule["EventPattern"]
    assert pattern["source"] == ["aws.glue"]
    assert pattern["detail-type"] == ["Glue Job State Change"]
    assert {"FAILED", "TIMEOUT"} <= set(pattern["detail"]["state"])
    assert "SUCCEEDED" not in pattern["detail"]["state"]
    jobs = resources("AWS::Glue::Job")
    assert sorted(j["Ref"] for j in pattern["detail"]["jobName"]) == sorted(jobs)
    [target] = rule["Targets"]
    assert target["Arn"] == {"Ref": "AlertTopic"}
    assert "<job>" in target["InputTransformer"]["InputTemplate"]


def test_the_topic_lets_alarms_and_the_rule_publish_and_use_its_key():
    [policy] = resources("AWS::SNS::TopicPolicy").values()
    assert policy["Properties"]["Topics"] == [{"Ref": "AlertTopic"}]
    granted = {
        s["Principal"]["Service"]: s["Condition"]
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    }
    assert granted["events.amazonaws.com"] == {
        "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["GlueJobFailedRule", "Arn"]}}
    }
    alarm_arns = granted["cloudwatch.amazonaws.com"]["ArnLike"]["aws:SourceArn"]["Fn::Sub"]
    assert alarm_arns.endswith(":alarm:lakehouse-${EnvironmentName}-*")
    assert all(
        a["Properties"]["AlarmName"]["Fn::Sub"].startswith("lakehouse-${EnvironmentName}-")
        for a in resources("AWS::CloudWatch::Alarm").values()
    )
    # the AWS managed SNS key cannot be granted to CloudWatch or EventBridge
    topic = resources("AWS::SNS::Topic")["AlertTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] == {"Ref": "AlertKey"}
    key = resources("AWS::KMS::Key")["AlertKey"]["Properties"]
    [services] = [s for s in key["KeyPolicy"]["Statement"] if "Service" in s["Principal"]]
    assert sorted(services["Principal"]["Service"]) == [
        "cloudwatch.amazonaws.com", "events.amazonaws.com",
    ]  # fmt: skip
    assert statements("StateMachineRole")["ReportEncrypted"]["Resource"] == {
        "Fn::GetAtt": ["AlertKey", "Arn"]
    }


def test_the_stack_names_the_gold_database_for_the_smoke_test():
    template = cfn_yaml.load(str(TEMPLATES[0]))
    assert template["Outputs"]["GoldDatabase"]["Value"] == {"Ref": "GoldDatabase"}
