"""The mistakes people make first get an answer that says what to do."""

import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from tests.support import BIN, TABLES, cli, free_port, succeed, table_rows, wait_until

pytestmark = pytest.mark.e2e


def said(result) -> str:
    """What the command printed, with the terminal's line wrapping undone."""
    return " ".join(result.stdout.split())


def test_engine_target_without_an_engine_fails_at_once_saying_how_to_start_one(tmp_path):
    port = free_port()  # nothing listens there
    result = cli(
        "dbt",
        "build",
        "--target",
        "engine",
        warehouse=tmp_path,
        extra_env={"LAKEHOUSE_ENGINE_PORT": str(port)},
    )
    assert result.returncode == 1
    assert f"no Sail engine listens on 127.0.0.1:{port}" in said(result)
    assert "lakehouse engine" in said(result)


def test_profiles_dir_without_the_profile_says_where_the_profile_is(tmp_path):
    result = cli("dbt", "ls", warehouse=tmp_path, extra_env={"DBT_PROFILES_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert "has no 'lakehouse' profile" in said(result)
    assert "profiles" in said(result).rsplit("point it at", 1)[1]


def test_a_command_line_dbt_cannot_read_is_named(tmp_path):
    result = cli("dbt", "compile", "--resource-type", "test", warehouse=tmp_path)
    assert result.returncode == 1
    assert "No such option '--resource-type'." in said(result)
    assert "dbt COMMAND --help" in said(result)


def test_unknown_target_lists_the_targets(tmp_path):
    result = cli("dbt", "ls", "--target", "prod", warehouse=tmp_path)
    assert result.returncode == 1
    assert "Targets: local" in said(result)


def test_missing_raw_folder_says_what_to_pass(tmp_path):
    result = cli(
        "ingest",
        "--raw",
        str(tmp_path / "nowhere"),
        "--warehouse",
        str(tmp_path / "wh"),
        warehouse=tmp_path / "wh",
    )
    assert result.returncode == 1
    assert f"raw folder {tmp_path / 'nowhere'} does not exist" in said(result)
    assert "--raw" in said(result)


def test_query_beyond_the_engines_memory_pool_names_the_setting(tmp_path):
    pool = "SAIL_RUNTIME__MEMORY_POOL__FAIR__MAX_SIZE"
    result = cli(
        "run", "--warehouse", str(tmp_path), warehouse=tmp_path, extra_env={pool: "1000000"}
    )
    assert result.returncode == 1
    assert "Failed to allocate" in said(result)
    assert f"set {pool} higher and run again" in said(result)


def test_a_warehouse_that_cannot_be_written_is_named_with_the_way_out(tmp_path):
    """A path through a regular file: not writable even by root, who ignores modes (the
    permission case itself is in tests/local/test_pipeline.py)."""
    (tmp_path / "file").write_text("")
    warehouse = tmp_path / "file" / "warehouse"
    result = cli("ingest", "--warehouse", str(warehouse), warehouse=warehouse)
    assert result.returncode == 1
    assert f"cannot write to {warehouse} (not a directory)" in said(result)
    assert "pass --warehouse a folder you can write" in said(result)
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("command", [("run",), ("dbt", "build")])
def test_ctrl_c_mid_build_ends_at_once_and_the_next_run_completes(tmp_path, command):
    wh = tmp_path / "wh"
    if command[0] == "dbt":
        succeed("ingest", "--warehouse", str(wh), warehouse=wh)
    out = tmp_path / "out.txt"
    with out.open("w") as output:
        process = subprocess.Popen(
            [str(BIN / "lakehouse"), *command, "--warehouse", str(wh)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    # dbt has started building Silver, and the build is not over
    wait_until(lambda: (wh / "silver").exists() or process.poll() is not None, 300)
    assert (wh / "silver").exists() and process.poll() is None, "not caught mid-build"
    process.send_signal(signal.SIGINT)
    try:
        assert process.wait(timeout=60) == 130
    finally:
        process.kill()
    assert "Interrupted: stopped; run the command again to finish" in out.read_text()
    # the lock is free and the next run completes the warehouse, its row accounting included
    succeed("run", "--warehouse", str(wh), warehouse=wh)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    wh = tmp_path_factory.mktemp("built") / "wh"
    succeed("run", "--warehouse", str(wh), warehouse=wh)
    return wh


def damaged_copy(built: Path, tmp_path: Path, schema: str, table: str) -> Path:
    """A copy of the built warehouse whose table has its last Delta commit cut short."""
    wh = tmp_path / "wh"
    shutil.copytree(built, wh)
    last_commit = sorted((wh / schema / table / "_delta_log").glob("*.json"))[-1]
    last_commit.write_text('{"commitInfo": ')
    return wh


def test_a_damaged_dbt_built_table_is_named_and_rebuilt_as_said(built, tmp_path):
    wh = damaged_copy(built, tmp_path, "silver", "orders")
    for command in (("run",), ("dbt", "build", "--full-refresh")):
        result = cli(*command, "--warehouse", str(wh), warehouse=wh)
        assert result.returncode == 1
        assert f"the Delta table at {wh / 'silver' / 'orders'} cannot be read" in said(result)
        assert "delete that folder, then `lakehouse run` builds the table again" in said(result)
        assert "Traceback" not in result.stdout + result.stderr
    shutil.rmtree(wh / "silver" / "orders")
    succeed("run", "--warehouse", str(wh), warehouse=wh)
    for schema, table in TABLES:
        assert table_rows(wh, schema, table) == table_rows(built, schema, table), table


def test_a_damaged_bronze_table_is_named_and_loaded_again_as_said(built, tmp_path):
    wh = damaged_copy(built, tmp_path, "bronze", "orders")
    result = cli("run", "--warehouse", str(wh), warehouse=wh)
    assert result.returncode == 1
    assert f"the Delta table at {wh / 'bronze' / 'orders'} cannot be read" in said(result)
    assert "`lakehouse ingest` loads the raw files" in said(result)
    assert "`lakehouse dbt build --full-refresh`" in said(result)
    shutil.rmtree(wh / "bronze" / "orders")
    succeed("ingest", "--warehouse", str(wh), warehouse=wh)
    succeed("dbt", "build", "--full-refresh", "--warehouse", str(wh), warehouse=wh)
    for schema, table in TABLES:
        assert table_rows(wh, schema, table) == table_rows(built, schema, table), table
