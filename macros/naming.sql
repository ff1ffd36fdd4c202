{#
    Layers are schemas: a model in models/silver/ lands in schema `silver`, not
    `<target schema>_silver`, so that WAREHOUSE/<schema>/<table> and the Glue databases
    read the same on every target.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}

{#
    Model names are unique across the project (`silver_orders`, `quarantine_orders`); the
    table drops the layer prefix, so the table is `silver.orders`.
#}
{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
    {%- if custom_alias_name -%}
        {{ custom_alias_name | trim }}
    {%- elif node.config.schema and node.name.startswith(node.config.schema ~ '_') -%}
        {{ node.name[node.config.schema | length + 1:] }}
    {%- else -%}
        {{ node.name }}
    {%- endif -%}
{%- endmacro %}
