"""Raw shop exports (CSV, Excel) to Bronze Delta tables, one row per delivered row; the same
loader runs on a laptop and in the Glue ingestion jobs."""
