"""dbt in this process, and the local Sail engine it runs on."""
