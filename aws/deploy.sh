#!/usr/bin/env bash
# Deploy the stack and its code: docs/production-aws.md, "Deploy". Needs the AWS CLI, credentials for the
# account, ENV (environment name) and DEPLOY_BUCKET (an existing bucket in the region for
# packaged artifacts). CI never runs it; the main workflow does, on pushes to main only.
#
# Order: the code is uploaded under code/<commit>/ first, then the stack is deployed with
# CodeVersion=<commit>, so the jobs never point at code that is not there yet; older commits'
# code stays, so a job run started before the switch keeps its own. The very first deploy has
# no artifacts bucket to upload to: it creates the stack with CodeVersion empty (the raw
# bucket sends no events then, so nothing starts a run), uploads, and deploys again.
set -euo pipefail
: "${ENV:?set ENV, e.g. ENV=prod}" "${DEPLOY_BUCKET:?set DEPLOY_BUCKET to a bucket for packaged artifacts}"
STACK=${STACK:-lakehouse-$ENV}
cd "$(dirname "$0")/.."
VERSION=$(git rev-parse HEAD)

mkdir -p build
# Each artifact holds the paths its list in aws/artifacts/ names, as committed.
archive() {  # archive LIST ZIP
    git archive --format=zip -o "build/$2" HEAD $(grep -v '^#' "aws/artifacts/$1.txt")
}
archive glue-jobs lakehouse.zip
archive lambda trigger.zip
archive dbt-project dbt-project.zip
# The job scripts of the same commit, not of the working tree.
git show HEAD:lakehouse/aws/s3_ingest.py >build/s3_ingest.py
git show HEAD:lakehouse/aws/dbt_job.py >build/dbt_job.py
aws cloudformation package --template-file aws/cloudformation/lakehouse.yaml \
    --s3-bucket "$DEPLOY_BUCKET" --output-template-file build/lakehouse.packaged.yaml

deploy() {  # deploy CODE_VERSION
    aws cloudformation deploy --template-file build/lakehouse.packaged.yaml --stack-name "$STACK" \
        --capabilities CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND \
        --parameter-overrides EnvironmentName="$ENV" CodeVersion="$1" --no-fail-on-empty-changeset
}

artifacts_bucket() {  # prints nothing when the stack does not exist yet
    local out
    if ! out=$(aws cloudformation describe-stacks --stack-name "$STACK" \
        --query "Stacks[0].Outputs[?OutputKey=='ArtifactsBucket'].OutputValue" --output text 2>&1); then
        [[ $out == *"does not exist"* ]] || { echo "$out" >&2; return 1; }
        return 0
    fi
    echo "$out"
}

ARTIFACTS=$(artifacts_bucket)
if [[ -z $ARTIFACTS ]]; then
    echo "First deploy of $STACK: creating it without raw file events, then uploading the code"
    deploy ""
    ARTIFACTS=$(artifacts_bucket)
fi
CODE="s3://$ARTIFACTS/code/$VERSION"
aws s3 cp build/s3_ingest.py "$CODE/glue/s3_ingest.py"
aws s3 cp build/dbt_job.py "$CODE/glue/dbt_job.py"
aws s3 cp build/lakehouse.zip "$CODE/glue/lakehouse.zip"
aws s3 cp build/dbt-project.zip "$CODE/dbt/project.zip"
deploy "$VERSION"
echo "Deployed stack $STACK at $VERSION"
