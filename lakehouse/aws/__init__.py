"""The production path on AWS: Glue job entry points, the Glue Data Catalog, CloudWatch
metrics and the S3 trigger that starts the state machine (aws/ holds the infrastructure)."""
