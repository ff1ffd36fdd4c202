{#
    Layers are schemas: a model in models/silver/ lands in schema `silver`, not
    `<target schema>_silver`, so that the schemas read the same on every target.
    LAKEHOUSE_DATABASE_PREFIX (empty locally, `<EnvironmentName>_` on AWS) goes in front
    of every layer, so that several environments share one Glue Data Catalog:
    `prod_silver`. The schema is also the table's folder, WAREHOUSE/<schema>/<table>
    (macros/sail/warehouse_location.sql). Nodes without a layer keep the target's schema,
    which exists everywhere (`default`).
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name -%}
        {{ database_prefix() }}{{ custom_schema_name | trim }}
    {%- else -%}
        {{ target.schema | trim }}
    {%- endif -%}
{%- endmacro %}

{% macro database_prefix() -%}
    {%- set prefix = env_var('LAKEHOUSE_DATABASE_PREFIX', '') -%}
    {#- prefixed, a layer must stay an unquoted Spark and Athena identifier -#}
    {%- if not modules.re.fullmatch('([a-z][a-z0-9_]*_)?', prefix) -%}
        {{ exceptions.raise_compiler_error(
            "LAKEHOUSE_DATABASE_PREFIX '" ~ prefix ~ "' must be empty or lowercase letters, "
            ~ "digits and underscores, starting with a letter and ending with '_' (e.g. prod_)"
        ) }}
    {%- endif -%}
    {{ prefix }}
{%- endmacro %}

{#
    A table's name is its entity; its schema says the layer. Node names must be unique
    across the project, so they carry the layer, and the table drops it: the model
    `silver_orders` is `silver.orders`, the snapshot `products_snapshot` is
    `snapshots.products`. The `schema` config is the layer without the database prefix,
    so this holds with any prefix.
    Staging tables (private to the platform) keep their model's name,
    `staging.stg_shop__orders`: dbt names a unit test's input after its table, so a
    staging table named like its Bronze source and its Silver model would make the
    inputs of an incremental unit test (`this` and the model it reads) one CTE
    (dbt-core 1.10, issues 10433 and 10740).
#}
{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
    {%- set layer = node.config.schema -%}
    {%- if custom_alias_name -%}
        {{ custom_alias_name | trim }}
    {%- elif layer == 'snapshots' and node.name.endswith('_snapshot') -%}
        {{ node.name[:-('_snapshot' | length)] }}
    {%- elif layer and node.name.startswith(layer ~ '_') -%}
        {{ node.name[layer | length + 1:] }}
    {%- else -%}
        {{ node.name }}
    {%- endif -%}
{%- endmacro %}
