"""An e-commerce lakehouse: raw shop exports to Bronze, Silver and Gold Delta tables with dbt,
on a laptop (Sail) or on AWS Glue. `lakehouse` (cli.py) is its command line."""
