"""The local engine: Sail, embedded in the dbt process or kept running for other clients."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

# Sail's memory pool is unbounded by default: ranking 10M line items held 5 GB. With a
# fair pool, sorts, windows and aggregations spill to disk beyond its size (hash joins
# cannot, and fail beyond it). Set by `lakehouse` before the engine starts; a variable
# already set in the environment wins, e.g. a larger pool for larger data.
MEMORY_POOL_SIZE = "SAIL_RUNTIME__MEMORY_POOL__FAIR__MAX_SIZE"  # bytes
MEMORY_POOL = {
    "SAIL_RUNTIME__MEMORY_POOL__TYPE": "fair",
    MEMORY_POOL_SIZE: str(3 * 2**30),
}


def use_memory_pool() -> None:
    for name, value in MEMORY_POOL.items():
        os.environ.setdefault(name, value)


def serve(host: str, port: int) -> None:
    """Run a Spark Connect server until interrupted."""
    # Imported here, not at module load: dbt_runner reads this module's settings, and the
    # dbt Glue job, which ships no pysail, imports dbt_runner.
    from pysail.spark import SparkConnectServer

    use_memory_pool()
    server = SparkConnectServer(ip=host, port=port)
    server.start(background=False)


# The port a run's own engine takes when it is free: dbt parses the whole project again
# (some seconds) whenever the profile's port differs from the last invocation's.
RUN_PORT = 50052


@contextmanager
def running(host: str = "127.0.0.1") -> Iterator[int]:
    """A Spark Connect server on HOST, in this process, for the duration of the block
    (stopped also when the block fails); yields its port: RUN_PORT, else a free one."""
    from pysail.spark import SparkConnectServer

    use_memory_pool()
    server = SparkConnectServer(ip=host, port=RUN_PORT)
    try:
        server.start(background=True)
    except OSError:  # taken, e.g. by a run on another warehouse
        server = SparkConnectServer(ip=host, port=0)
        server.start(background=True)
    try:
        address = server.listening_address
        if address is None:
            raise RuntimeError(f"the local Sail engine did not start on {host}")
        yield address[1]
    finally:
        server.stop()
