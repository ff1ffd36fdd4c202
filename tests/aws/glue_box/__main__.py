"""`python -m tests.aws.glue_box --moto URL --port N --work DIR --jars DIR --venvs DIR`"""

import argparse
import os
import sys
from pathlib import Path

import boto3
from werkzeug.serving import run_simple

SITE = Path(__file__).parent / "site"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--moto", required=True, help="the moto server to forward to")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--work", type=Path, required=True, help="metastore, venvs, logs")
    parser.add_argument("--jars", type=Path, required=True)
    parser.add_argument("--venvs", type=Path, required=True, help="job runs' virtualenvs, kept")
    args = parser.parse_args()
    sys.path.insert(0, str(SITE))  # `awsglue` for the statements
    # statements and job scripts reach AWS through this box, as on Glue they reach AWS
    endpoint = f"http://127.0.0.1:{args.port}"
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"

    from .athena import Athena
    from .catalog_sync import CatalogSync
    from .front_door import FrontDoor
    from .job_runs import JobRuns
    from .sessions import Sessions
    from .spark import start

    args.work.mkdir(parents=True, exist_ok=True)
    spark = start(args.jars, args.moto, args.work)
    glue = boto3.client("glue", endpoint_url=args.moto)
    catalog = CatalogSync(spark, glue)
    sessions = Sessions(spark, catalog)
    session_operations = {
        "CreateSession", "GetSession", "ListSessions", "StopSession", "DeleteSession",
        "RunStatement", "GetStatement", "ListStatements", "CancelStatement",
    }  # fmt: skip
    job_runs = JobRuns(
        glue, boto3.client("s3", endpoint_url=args.moto), args.work, args.venvs, endpoint
    )
    athena = Athena(spark, glue)
    run_operations = {"StartJobRun", "GetJobRun", "GetJobRuns", "BatchStopJobRun"}
    glue_operations = session_operations | run_operations

    def glue_handler(operation: str, request: dict) -> dict:
        owner = sessions if operation in session_operations else job_runs
        return owner.handle(operation, request)

    athena_operations = {
        "StartQueryExecution", "GetQueryExecution", "GetQueryResults", "ListQueryExecutions",
    }  # fmt: skip
    handlers = {
        "AWSGlue": (glue_operations, glue_handler),
        "AmazonAthena": (athena_operations, athena.handle),
    }
    app = FrontDoor(args.moto, handlers, catalog.glue_written)
    print(f"glue box ready on port {args.port}", flush=True)
    run_simple("127.0.0.1", args.port, app, threaded=True)


if __name__ == "__main__":
    main()
