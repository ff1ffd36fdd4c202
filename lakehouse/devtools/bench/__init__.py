"""`lakehouse bench`: the pipeline at several scales, against the floor and a JVM Spark peer.

Each measured run is a fresh process (worker.py) that samples its own memory, so engines
start cold and one run's memory never counts for the next.
"""
