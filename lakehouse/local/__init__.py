"""The laptop run: ingest, dbt build, maintenance and the run report, under one lock."""
