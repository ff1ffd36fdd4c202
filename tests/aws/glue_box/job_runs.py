"""Glue job runs: StartJobRun, GetJobRun, GetJobRuns, BatchStopJobRun.

A run executes the job's real script from S3 (`Command.ScriptLocation`) with the job's
default arguments and the run's own, `--extra-py-files` on the path, in a virtualenv built
from exactly the job's `--additional-python-modules` plus what Glue 5 itself provides to a
job's Python (boto3). A module the template forgot makes the run fail with Python's own
ImportError, as it would on Glue. Virtualenvs are kept by module list, so they are built once.
`ExecutionProperty.MaxConcurrentRuns` is enforced as Glue does.
"""

import itertools
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .sessions import GlueError
from .venvs import python_with

RUNNING = "RUNNING"


@dataclass
class JobRun:
    id: str
    job: str
    arguments: dict[str, str]
    state: str = RUNNING
    started: float = field(default_factory=time.time)
    completed: float = 0.0
    error: str = ""
    log: Path | None = None

    def describe(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "Id": self.id,
            "JobName": self.job,
            "JobRunState": self.state,
            "Arguments": self.arguments,
            "StartedOn": self.started,
            "ExecutionTime": int((self.completed or time.time()) - self.started),
            "GlueVersion": "5.0",
        }
        if self.completed:
            answer["CompletedOn"] = self.completed
        if self.error:
            answer["ErrorMessage"] = self.error
        return answer


class JobRuns:
    def __init__(self, glue, s3, work: Path, venvs: Path, endpoint: str):
        self.glue, self.s3 = glue, s3  # moto's, for the job definitions and the scripts
        self.work, self.venvs = work, venvs
        self.endpoint = endpoint  # what the scripts' boto3 calls: this box
        self.runs: dict[str, JobRun] = {}
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    def handle(self, operation: str, request: dict) -> dict:
        return getattr(self, operation)(request)

    def StartJobRun(self, request: dict) -> dict:  # noqa: N802
        name = request["JobName"]
        try:
            job = self.glue.get_job(JobName=name)["Job"]
        except self.glue.exceptions.EntityNotFoundException:
            raise GlueError("EntityNotFoundException", f"Job {name} not found") from None
        arguments = {**job.get("DefaultArguments", {}), **request.get("Arguments", {})}
        limit = job.get("ExecutionProperty", {}).get("MaxConcurrentRuns", 1)
        with self.lock:
            running = [r for r in self.runs.values() if r.job == name and r.state == RUNNING]
            if len(running) >= limit:
                raise GlueError(
                    "ConcurrentRunsExceededException",
                    f"Concurrent runs exceeded for {name}: {len(running)} of {limit} running",
                )
            run = JobRun(f"jr_{next(self.counter):06d}", name, arguments)
            self.runs[run.id] = run
        threading.Thread(target=self._execute, args=(job, run), daemon=True).start()
        return {"JobRunId": run.id}

    def GetJobRun(self, request: dict) -> dict:  # noqa: N802
        run = self.runs.get(request["RunId"])
        if run is None or run.job != request["JobName"]:
            raise GlueError("EntityNotFoundException", f"Job run {request['RunId']} not found")
        return {"JobRun": run.describe()}

    def GetJobRuns(self, request: dict) -> dict:  # noqa: N802
        runs = [r.describe() for r in self.runs.values() if r.job == request["JobName"]]
        return {"JobRuns": sorted(runs, key=lambda r: r["StartedOn"], reverse=True)}

    def BatchStopJobRun(self, request: dict) -> dict:  # noqa: N802
        for run_id in request.get("JobRunIds", []):
            run = self.runs.get(run_id)
            if run and run.state == RUNNING:
                run.state, run.completed = "STOPPED", time.time()
        return {"SuccessfulSubmissions": [], "Errors": []}

    # ------------------------------------------------------------------ execution

    def _execute(self, job: dict, run: JobRun) -> None:
        folder = self.work / "job-runs" / run.id
        folder.mkdir(parents=True)
        run.log = folder / "log.txt"
        try:
            modules = run.arguments.get("--additional-python-modules", "").split(",")
            python = python_with(modules, self.venvs)
            script = self._download(job["Command"]["ScriptLocation"], folder)
            paths = [
                str(self._download(uri.strip(), folder))
                for uri in run.arguments.get("--extra-py-files", "").split(",")
                if uri.strip()
            ]
            argv = [str(python), str(script), "--JOB_NAME", run.job, "--JOB_RUN_ID", run.id]
            for key, value in run.arguments.items():
                if not key.startswith("--enable-") and key not in GLUE_OWN_ARGUMENTS:
                    argv += [key, value]
            with run.log.open("w") as log:
                done = subprocess.run(
                    argv, cwd=folder, env=self._environment(paths), stdout=log, stderr=log
                )
            if done.returncode == 0:
                run.state = "SUCCEEDED"
            else:
                run.state, run.error = "FAILED", last_lines(run.log)
        except Exception as e:  # the run fails, naming why, as Glue's ErrorMessage does
            run.state, run.error = "FAILED", f"{type(e).__name__}: {e}"
        run.completed = time.time()

    def _environment(self, python_path: list[str]) -> dict[str, str]:
        keep = ("PATH", "HOME", "LANG", "TZ", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
        env = {k: v for k, v in os.environ.items() if k in keep}
        region = os.environ.get("AWS_REGION", "us-east-1")
        return env | {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ALLOW_HTTP": "true",  # delta-rs, on the plain-HTTP endpoint
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "PYTHONPATH": os.pathsep.join(python_path),
            "PYTHONUNBUFFERED": "1",
        }

    def _download(self, uri: str, folder: Path) -> Path:
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        target = folder / key.rsplit("/", 1)[-1]
        self.s3.download_file(bucket, key, str(target))
        return target


# Arguments Glue reads itself rather than passing to the script as they are.
GLUE_OWN_ARGUMENTS = {"--additional-python-modules", "--extra-py-files", "--job-language"}


def last_lines(log: Path, count: int = 15) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-count:])
