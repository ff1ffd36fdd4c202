"""Virtualenvs of exactly a deployment's declared modules, as Glue and Lambda build them.

Kept by module list under one folder, so each list is installed once; a file lock makes the
Glue box's job runs and the tests that build the same list at once wait for each other.
"""

import hashlib
import subprocess
import sys
from pathlib import Path

from filelock import FileLock

# On every Glue 5 job's Python path and in every Lambda Python runtime without being asked for.
PROVIDED = ["boto3"]


def python_with(modules: list[str], root: Path) -> Path:
    """The interpreter of a virtualenv holding MODULES (pip requirements) and PROVIDED."""
    wanted = sorted({m.strip() for m in modules if m.strip()} | set(PROVIDED))
    venv = root / hashlib.sha256("\n".join(wanted).encode()).hexdigest()[:16]
    python = venv / "bin" / "python"
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{venv}.lock"):
        if not (venv / ".built").exists():
            uv = Path(sys.executable).parent / "uv"
            subprocess.run(
                [str(uv), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True
            )
            subprocess.run(
                [str(uv), "pip", "install", "--quiet", "--python", str(python), *wanted],
                check=True,
                capture_output=True,
            )
            (venv / ".built").touch()
    return python
