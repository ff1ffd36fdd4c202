"""aws/deploy.sh, run with stand-ins for `aws` and `git` that record their calls: the code of
a commit is uploaded before any deploy that points the stack at it."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lakehouse.transform.dbt_runner import PROJECT_DIR

pytestmark = pytest.mark.aws

COMMIT = "0123456789abcdef0123456789abcdef01234567"
CODE = f"s3://artifacts-bucket/code/{COMMIT}"

# Each stand-in appends its arguments to $CALLS, one line per call. The fake stack exists
# once a deploy has run (or from the start when $STACK_EXISTS is set).
FAKE_AWS = r"""#!/usr/bin/env bash
echo "aws $*" >>"$CALLS"
case "$1 $2" in
"cloudformation describe-stacks")
    if [[ -n ${STACK_EXISTS:-} || -e $STATE/deployed ]]; then echo artifacts-bucket; exit 0; fi
    echo "An error occurred (ValidationError) when calling the DescribeStacks operation:" \
        "Stack with id $4 does not exist" >&2
    exit 254 ;;
"cloudformation deploy") touch "$STATE/deployed" ;;
"cloudformation package") [[ -z ${PACKAGE_FAILS:-} ]] || exit 1 ;;
esac
"""
FAKE_GIT = r"""#!/usr/bin/env bash
echo "git $*" >>"$CALLS"
case "$1" in
rev-parse) echo 0123456789abcdef0123456789abcdef01234567 ;;
archive) touch "$4" ;;
show) echo "# ${2#HEAD:}" ;;
esac
"""


@pytest.fixture
def deploy(tmp_path):
    """Runs a copy of deploy.sh in an empty checkout; returns the calls it made."""
    checkout = tmp_path / "checkout"
    (checkout / "aws").mkdir(parents=True)
    shutil.copy(PROJECT_DIR / "aws" / "deploy.sh", checkout / "aws" / "deploy.sh")
    shutil.copytree(PROJECT_DIR / "aws" / "artifacts", checkout / "aws" / "artifacts")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, script in (("aws", FAKE_AWS), ("git", FAKE_GIT)):
        (bin_dir / name).write_text(script)
        (bin_dir / name).chmod(0o755)
    calls = tmp_path / "calls.log"

    def run(**env: str) -> tuple[subprocess.CompletedProcess, list[str]]:
        done = subprocess.run(
            ["bash", str(checkout / "aws" / "deploy.sh")],
            env={
                "PATH": f"{bin_dir}:{os.environ['PATH']}",
                "CALLS": str(calls),
                "STATE": str(tmp_path),
                "ENV": "prod",
                "DEPLOY_BUCKET": "deploy-bucket",
                **env,
            },
            capture_output=True,
            text=True,
        )
        return done, calls.read_text().splitlines() if calls.exists() else []

    run.checkout = checkout
    return run


def _index(calls: list[str], *words: str) -> list[int]:
    return [i for i, call in enumerate(calls) if all(w in call.split() for w in words)]


UPLOADS = [
    f"{CODE}/glue/s3_ingest.py",
    f"{CODE}/glue/dbt_job.py",
    f"{CODE}/glue/lakehouse.zip",
    f"{CODE}/dbt/project.zip",
]


def test_an_update_uploads_the_commit_code_before_deploying_the_stack_on_it(deploy):
    done, calls = deploy(STACK_EXISTS="1")

    assert done.returncode == 0, done.stderr
    uploads = [i for i, call in enumerate(calls) if call.split()[-1] in UPLOADS]
    assert len(uploads) == 4
    [deployed] = _index(calls, "cloudformation", "deploy")
    assert f"CodeVersion={COMMIT}" in calls[deployed].split()
    assert "--stack-name lakehouse-prod" in calls[deployed]
    assert max(uploads) < deployed
    # the scripts come from the commit, like the zips, not from the working tree
    assert (
        deploy.checkout / "build" / "s3_ingest.py"
    ).read_text() == "# lakehouse/aws/s3_ingest.py\n"
    # each zip holds what its list names: the Glue jobs' code, not the laptop's or the tools'
    [glue_zip] = [c.split() for c in calls if c.startswith("git archive") and "lakehouse.zip" in c]
    assert {"lakehouse/aws/s3_ingest.py", "lakehouse/bronze/loader.py"} <= set(glue_zip)
    assert not any(p.startswith(("lakehouse/local", "lakehouse/devtools")) for p in glue_zip)
    # code/<commit>/ is the only place the jobs read code from: nothing is copied elsewhere
    assert sorted(calls[i].split()[-1] for i in _index(calls, "s3", "cp")) == sorted(UPLOADS)


def test_the_first_deploy_creates_the_stack_without_code_then_uploads_and_deploys_again(deploy):
    done, calls = deploy()

    assert done.returncode == 0, done.stderr
    first, second = _index(calls, "cloudformation", "deploy")
    assert "CodeVersion=" in calls[first].split()  # empty: no raw file events yet
    assert f"CodeVersion={COMMIT}" in calls[second].split()
    uploads = [i for i, call in enumerate(calls) if call.split()[-1] in UPLOADS]
    assert len(uploads) == 4
    assert first < min(uploads) and max(uploads) < second
    assert len(_index(calls, "s3", "cp")) == len(UPLOADS)
    assert "First deploy of lakehouse-prod" in done.stdout


def test_a_failure_stops_the_deploy_before_anything_is_deployed(deploy):
    done, calls = deploy(STACK_EXISTS="1", PACKAGE_FAILS="1")

    assert done.returncode != 0
    assert _index(calls, "cloudformation", "deploy") == []
    assert _index(calls, "s3", "cp") == []


def test_an_error_other_than_a_missing_stack_is_not_taken_for_a_first_deploy(deploy, tmp_path):
    denied = tmp_path / "bin" / "aws"
    denied.write_text(
        FAKE_AWS.replace(
            '"cloudformation describe-stacks")',
            '"cloudformation describe-stacks")\n    echo "AccessDenied" >&2; exit 254 ;;\n"never")',
        )
    )

    done, calls = deploy()

    assert done.returncode != 0
    assert "AccessDenied" in done.stderr
    assert _index(calls, "cloudformation", "deploy") == []
    assert _index(calls, "s3", "cp") == []


def test_the_deploy_script_is_executable():
    assert Path(PROJECT_DIR / "aws" / "deploy.sh").stat().st_mode & 0o111
