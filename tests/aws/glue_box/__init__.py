"""Glue in a box: the part of AWS Glue and Athena the project calls, executed on this machine.

Test infrastructure, not product. One process serves every AWS endpoint the tests use and
forwards to moto whatever moto already does (S3, Step Functions, SNS, SQS, DynamoDB,
CloudWatch, the Data Catalog's plain reads and writes). It answers itself:

- Glue interactive sessions (sessions.py): each statement's Python runs in a real PySpark 3.5
  session with Delta 3.3 and S3A on moto's S3, configured as Glue 5 configures it (spark.py),
  with an `awsglue` stand-in as thin as dbt-glue's statements need (site/awsglue/);
- the Data Catalog as Spark writes it (catalog_sync.py): Spark keeps its tables in a Hive
  metastore, and every table it creates or changes is written to the Glue catalog the way
  the Glue Hive client writes it, placeholder location and all;
- Glue job runs (job_runs.py): StartJobRun runs the job's real script in a virtualenv built
  only from its `--additional-python-modules`, so a module the template forgot fails the run;
- Athena (athena.py): a query reads the Delta tables the catalog points at, as Athena does.

Run it with `python -m tests.aws.glue_box --moto URL --port N --work DIR`; the
moto server it forwards to must have MOTO_PORT=N, so that the Step Functions interpreter's
calls to Glue and Athena come here (moto_server.py starts one so).
"""
