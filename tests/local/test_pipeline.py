import json
import os
import subprocess
import sys
import time
from datetime import datetime

import pytest

from lakehouse.local import report
from lakehouse.local.pipeline import PipelineError, RunReport, raw_files, warehouse_lock

HOLD_LOCK = """
import sys, time
from pathlib import Path
from lakehouse.local.pipeline import warehouse_lock
with warehouse_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(30)
"""


def test_a_second_run_on_the_same_warehouse_is_refused_clearly(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(PipelineError) as error, warehouse_lock(tmp_path):
            pass
        assert error.value.step == "lock"
        assert "another lakehouse run is using" in str(error.value)
    finally:
        holder.kill()
        holder.wait()
    with warehouse_lock(tmp_path):  # free again once the other run is gone
        pass


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through a read-only mode")
def test_a_warehouse_the_user_cannot_write_is_named_with_the_way_out(tmp_path):
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(PipelineError) as error, warehouse_lock(tmp_path):
            pass
    finally:
        tmp_path.chmod(0o755)
    assert f"cannot write to {tmp_path} (permission denied)" in str(error.value)
    assert "pass --warehouse a folder you can write" in str(error.value)


def test_missing_raw_folder_and_empty_landing_are_named(tmp_path):
    with pytest.raises(PipelineError, match="does not exist"):
        raw_files(tmp_path / "nowhere")
    (tmp_path / "raw" / "orders").mkdir(parents=True)
    with pytest.raises(PipelineError, match="no raw files found"):
        raw_files(tmp_path / "raw")


def test_a_step_records_when_it_ran_also_when_it_fails():
    """The benchmark attributes memory samples to steps by these windows."""
    report = RunReport()
    before = time.time()
    with report.step("first"):
        time.sleep(0.05)
    with pytest.raises(ValueError), report.step("second"):
        raise ValueError("a failing step")
    (first_start, first_end), (second_start, second_end) = report.windows.values()
    assert before <= first_start < first_end <= second_start <= second_end <= time.time()
    assert report.seconds["first"] >= 0.05
    assert list(report.seconds) == ["first", "second"]


@pytest.mark.parametrize(
    ("statuses", "checked"),
    [
        (["pass", "warn"], True),
        (["pass", "fail"], False),
        (["pass", "skipped"], False),
        ([], False),
    ],
)
def test_a_run_checks_what_changed_only_after_a_run_whose_data_tests_all_passed(
    tmp_path, statuses, checked
):
    started = "2026-01-31T06:00:00+00:00"
    tests = [{"name": f"t{i}", "kind": "data", "status": s} for i, s in enumerate(statuses)]
    tests.append({"name": "a unit test", "kind": "unit", "status": "fail"})  # CI's concern
    latest = tmp_path / "reports" / "latest"
    latest.mkdir(parents=True)
    (latest / "quality.json").write_text(json.dumps({"checked_at": started, "tests": tests}))
    expected = datetime.fromisoformat(started) if checked else None
    assert report.checked_until(tmp_path) == expected
    assert report.checked_until(tmp_path / "new") is None
