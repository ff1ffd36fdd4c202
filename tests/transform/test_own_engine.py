"""`lakehouse` commands run dbt on one Sail engine of their own: started on a free port,
reached through the `engine` target, stopped when the command ends, however it ends."""

import os

import pytest
from pyspark.sql import SparkSession

from lakehouse.transform import dbt_runner
from tests.support import listening

ADDRESS = ("DBT_TARGET", "LAKEHOUSE_ENGINE_HOST", "LAKEHOUSE_ENGINE_PORT")


@pytest.fixture
def no_target_chosen(monkeypatch):
    for name in ADDRESS:
        monkeypatch.delenv(name, raising=False)


def test_the_engine_target_reaches_the_engine_until_the_block_fails(no_target_chosen):
    with pytest.raises(RuntimeError, match="a failed build"), dbt_runner.own_engine():
        port = int(os.environ["LAKEHOUSE_ENGINE_PORT"])
        assert os.environ["DBT_TARGET"] == "engine"
        assert listening(port)
        raise RuntimeError("a failed build")
    assert not listening(port)
    assert not any(name in os.environ for name in ADDRESS)


def test_each_engine_gets_a_session_of_its_own(no_target_chosen):
    """dbt-spark's session method asks PySpark for its active session: one left over from
    an engine that has stopped would send the next engine's queries to a closed port."""
    for _ in range(2):
        with dbt_runner.own_engine():
            remote = f"sc://127.0.0.1:{os.environ['LAKEHOUSE_ENGINE_PORT']}"
            session = SparkSession.builder.config("spark.remote", remote).getOrCreate()
            assert session.sql("select 1 as one").collect()[0].one == 1
        assert SparkSession.getActiveSession() is None


@pytest.mark.parametrize(
    ("args", "environment"),
    [
        (["build", "--target", "local"], {}),
        (["build", "-t", "glue"], {}),
        ([], {"DBT_TARGET": "engine"}),
    ],
)
def test_a_target_chosen_is_used_as_is(no_target_chosen, monkeypatch, args, environment):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    before = dict(os.environ)
    with dbt_runner.own_engine(args):
        assert dict(os.environ) == before


def test_a_layers_seconds_are_the_wall_time_its_nodes_ran():
    """Nodes of one layer on several threads overlap: their sum would count time twice."""
    assert dbt_runner.busy_seconds([]) == 0.0
    assert dbt_runner.busy_seconds([(0.0, 2.0), (5.0, 6.0)]) == 3.0  # apart: the sum
    assert dbt_runner.busy_seconds([(0.0, 4.0), (1.0, 2.0)]) == 4.0  # one inside another
    assert dbt_runner.busy_seconds([(2.0, 5.0), (0.0, 3.0), (4.0, 7.0)]) == 7.0  # chained
    assert dbt_runner.busy_seconds([(0, 5), (1, 3), (4, 8), (10, 11)]) == 9
