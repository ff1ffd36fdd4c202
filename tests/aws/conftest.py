"""moto servers for the AWS tests: every AWS call goes over HTTP to moto, no account needed.

Two kinds, because delta-rs holds the Python GIL while it waits for S3: against a moto server
in the test's own process its reads would never be answered. So code that reads Delta talks
to a moto server in another process; the state machine tests run moto in this process, where
they can act as the Glue workers (see test_state_machine.py).
"""

import os
import subprocess
import sys
import time

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from lakehouse.transform.dbt_runner import PROJECT_DIR
from tests.support import free_port

REGION = "us-east-1"
PROJECT_JARS = PROJECT_DIR / ".venv" / "jars"  # make jars


def aws_environment(endpoint: str) -> dict[str, str]:
    """What a process needs to talk to moto: boto3 and delta-rs read the same variables."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ALLOW_HTTP": "true",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
    }


@pytest.fixture
def aws_env(monkeypatch):
    """Point this process at a moto server; returns a boto3 client factory."""

    def use(endpoint: str):
        for key in [k for k in os.environ if k.startswith("AWS_")]:
            monkeypatch.delenv(key)
        for key, value in aws_environment(endpoint).items():
            monkeypatch.setenv(key, value)
        return lambda service: boto3.client(service, region_name=REGION)

    return use


@pytest.fixture(scope="session")
def moto_process():
    """A moto server in its own process; its endpoint. State is reset before each test."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            requests.get(f"{endpoint}/moto-api/", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.05)
    else:
        server.kill()
        raise RuntimeError(f"moto server did not start on {endpoint}")
    yield endpoint
    server.terminate()
    server.wait()


@pytest.fixture
def aws(moto_process, aws_env):
    """boto3 client factory on a freshly reset out-of-process moto server."""
    requests.post(f"{moto_process}/moto-api/reset", timeout=10).raise_for_status()
    client = aws_env(moto_process)
    client.endpoint = moto_process
    return client


@pytest.fixture
def moto_in_process(aws_env, monkeypatch):
    """A moto server in this process that executes Step Functions definitions."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # moto's interpreter calls the other services at localhost:MOTO_PORT.
    monkeypatch.setenv("MOTO_PORT", str(port))
    requests.post(
        f"{endpoint}/moto-api/config",
        json={"stepfunctions": {"execute_state_machine": True}},
        timeout=10,
    ).raise_for_status()
    client = aws_env(endpoint)
    client.endpoint = endpoint
    yield client
    requests.post(f"{endpoint}/moto-api/reset", timeout=10)
    server.stop()


@pytest.fixture(scope="module")
def glue_box(tmp_path_factory):
    """moto behind the Glue box (glue_box/): every AWS call of the production path goes to
    the box, which runs Glue sessions, job runs and Athena queries on PySpark 3.5.4 + Delta
    3.3.0 and forwards the rest to moto. Yields a boto3 client factory, with `.endpoint`."""
    work = tmp_path_factory.mktemp("glue-box")
    moto_port, box_port = free_port(), free_port()
    moto_endpoint, box_endpoint = f"http://127.0.0.1:{moto_port}", f"http://127.0.0.1:{box_port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= aws_environment(box_endpoint)
    logs = [(work / "moto.log").open("w"), (work / "box.log").open("w")]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.aws.glue_box.moto_server",
             "-H", "127.0.0.1", "-p", str(moto_port)],
            env=env | {"MOTO_PORT": str(box_port)}, stdout=logs[0], stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [sys.executable, "-m", "tests.aws.glue_box", "--moto", moto_endpoint,
             "--port", str(box_port), "--work", str(work), "--jars", str(PROJECT_JARS),
             "--venvs", str(PROJECT_JARS.parent / "glue-job-venvs")],
            env=env, stdout=logs[1], stderr=subprocess.STDOUT,
        ),
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while "ready on port" not in (work / "box.log").read_text():
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise RuntimeError(
                    f"the Glue box did not start:\n{(work / 'box.log').read_text()[-3000:]}"
                )
            time.sleep(0.5)
        requests.post(
            f"{moto_endpoint}/moto-api/config",
            json={"stepfunctions": {"execute_state_machine": True}},
            timeout=10,
        ).raise_for_status()
        with pytest.MonkeyPatch.context() as patch:
            for key in [k for k in os.environ if k.startswith("AWS_")]:
                patch.delenv(key)
            for key, value in aws_environment(box_endpoint).items():
                patch.setenv(key, value)

            def client(service: str):
                return boto3.client(service, region_name=REGION)

            client.endpoint = box_endpoint
            yield client
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        for log in logs:
            log.close()
