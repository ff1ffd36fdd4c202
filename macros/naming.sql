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
    `silver_orders` is `silver.orders`, the staging model `stg_shop__orders` (dbt's
    `stg_<source>__<entity>`) is `staging.orders`, the snapshot `products_snapshot` is
    `snapshots.products`. (A second source system would need its source in the staging
    names.) The `schema` config is the layer without the database prefix, so this holds
    with any prefix.
#}
{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
    {%- set layer = node.config.schema -%}
    {%- if custom_alias_name -%}
        {{ custom_alias_name | trim }}
    {%- elif layer == 'staging' and node.name.startswith('stg_') and '__' in node.name -%}
        {{ node.name.split('__', 1)[1] }}
    {%- elif layer == 'snapshots' and node.name.endswith('_snapshot') -%}
        {{ node.name[:-('_snapshot' | length)] }}
    {%- elif layer and node.name.startswith(layer ~ '_') -%}
        {{ node.name[layer | length + 1:] }}
    {%- else -%}
        {{ node.name }}
    {%- endif -%}
{%- endmacro %}
