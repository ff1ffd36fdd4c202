"""Keep a Sail engine running for clients that connect to it (dbt's `engine` target)."""

from pysail.spark import SparkConnectServer


def serve(host: str, port: int) -> None:
    """Run a Spark Connect server until interrupted."""
    server = SparkConnectServer(ip=host, port=port)
    server.start(background=False)
