"""Each AWS entry point imports in an environment of only what its deployment declares and
ships: a virtualenv of the template's module list (plus boto3, which Glue 5 and the Lambda
runtime provide) and the code zip aws/deploy.sh builds from aws/artifacts/, run outside the
project so that nothing else is on the path. A module the code imports but the template does
not install, or the zip does not hold, fails here rather than on AWS; a module a zip ships
that no entry point imports fails too."""

import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from cfnlint.decode import cfn_yaml

from lakehouse.transform.dbt_runner import PROJECT_DIR
from tests.aws.glue_box.deployment import artifact
from tests.aws.glue_box.venvs import python_with

pytestmark = [pytest.mark.aws, pytest.mark.e2e]


TEMPLATE = PROJECT_DIR / "aws" / "cloudformation" / "lakehouse.yaml"
VENVS = PROJECT_DIR / ".venv" / "glue-job-venvs"  # shared with the Glue box's job runs
# entry point: (the template's module-list parameter, its artifact, the module it runs)
ENTRY_POINTS = {
    "ingestion job": ("IngestPythonModules", "glue-jobs", "lakehouse.aws.s3_ingest"),
    "dbt job": ("DbtPythonModules", "glue-jobs", "lakehouse.aws.dbt_job"),
    "trigger": (None, "lambda", "lakehouse.aws.trigger"),
}
REPORT = "import json, sys; print(json.dumps([m for m in sys.modules if 'lakehouse' in m]))"


def declared_modules(parameter: str | None) -> list[str]:
    if parameter is None:
        return []  # the Lambda installs nothing beyond its runtime
    return cfn_yaml.load(str(TEMPLATE))["Parameters"][parameter]["Default"].split(",")


@pytest.fixture(scope="module")
def zips(tmp_path_factory) -> dict[str, Path]:
    """Each artifact as aws/deploy.sh builds it, once for the module."""
    folder = tmp_path_factory.mktemp("artifacts")
    names = {artifact_name for _, artifact_name, _ in ENTRY_POINTS.values()}
    return {name: artifact(name, folder / f"{name}.zip") for name in names}


@pytest.fixture(scope="module")
def imports(zips, tmp_path_factory) -> dict[str, list[str]]:
    """Per entry point, the project modules it loads, imported from its zip in its own venv
    and run outside the project."""
    outside = tmp_path_factory.mktemp("outside")
    loaded = {}
    for entry_point, (parameter, artifact_name, module) in ENTRY_POINTS.items():
        python = python_with(declared_modules(parameter), VENVS)
        run = subprocess.run(
            [str(python), "-c", f"import {module}; {REPORT}"],
            cwd=outside,
            env={"PYTHONPATH": str(zips[artifact_name]), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, f"{entry_point}: {run.stderr[-3000:]}"
        loaded[entry_point] = json.loads(run.stdout)
    return loaded


def zipped_modules(zip_path: Path) -> set[str]:
    names = zipfile.ZipFile(zip_path).namelist()
    return {
        name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        for name in names
        if name.endswith(".py")
    }


@pytest.mark.parametrize("entry_point", sorted(ENTRY_POINTS))
def test_the_entry_point_imports_with_only_its_declared_modules_and_its_zip(entry_point, imports):
    assert ENTRY_POINTS[entry_point][2] in imports[entry_point]


@pytest.mark.parametrize("artifact_name", ["glue-jobs", "lambda"])
def test_a_zip_ships_only_modules_its_entry_points_import(artifact_name, zips, imports):
    users = [name for name, (_, a, _) in ENTRY_POINTS.items() if a == artifact_name]
    used = {m for name in users for m in imports[name]}
    shipped = zipped_modules(zips[artifact_name])
    assert shipped == used, f"shipped, never imported: {sorted(shipped - used)}"
