#!/usr/bin/env bash
# Deploy the stack and its code: README, "Deploy". Needs the AWS CLI, credentials for the
# account, ENV (environment name) and DEPLOY_BUCKET (an existing bucket in the region for
# packaged artifacts). CI never runs it; the main workflow does, on pushes to main only.
set -euo pipefail
: "${ENV:?set ENV, e.g. ENV=prod}" "${DEPLOY_BUCKET:?set DEPLOY_BUCKET to a bucket for packaged artifacts}"
STACK=${STACK:-lakehouse-$ENV}
cd "$(dirname "$0")/.."

mkdir -p build
git archive --format=zip -o build/ingestion.zip HEAD ingestion ':(exclude)ingestion/tests'
git archive --format=zip -o build/dbt-project.zip HEAD dbt_project.yml packages.yml \
    package-lock.yml selectors.yml profiles models macros tests seeds snapshots packages
aws cloudformation package --template-file aws/cloudformation/lakehouse.yaml \
    --s3-bucket "$DEPLOY_BUCKET" --output-template-file build/lakehouse.packaged.yaml
aws cloudformation deploy --template-file build/lakehouse.packaged.yaml --stack-name "$STACK" \
    --capabilities CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND \
    --parameter-overrides EnvironmentName="$ENV" --no-fail-on-empty-changeset
ARTIFACTS=$(aws cloudformation describe-stacks --stack-name "$STACK" \
    --query "Stacks[0].Outputs[?OutputKey=='ArtifactsBucket'].OutputValue" --output text)
aws s3 cp build/ingestion.zip "s3://$ARTIFACTS/glue/ingestion.zip"
aws s3 cp ingestion/aws/s3_ingest.py "s3://$ARTIFACTS/glue/s3_ingest.py"
aws s3 cp ingestion/aws/dbt_job.py "s3://$ARTIFACTS/glue/dbt_job.py"
aws s3 cp build/dbt-project.zip "s3://$ARTIFACTS/dbt/project.zip"
echo "Deployed stack $STACK"
