{#
    Every table dbt creates lives at WAREHOUSE/<layer>/<table>, the layout that ingestion,
    the tests and the summary read; the layer is the schema without the database prefix
    (macros/naming.sql), so `test_silver.orders` lives at WAREHOUSE/silver/orders.
    Replaces dbt-spark's `location_root` + alias so that no folder of the project repeats
    the warehouse path.
#}
{% macro spark__location_clause() %}
    location '{{ warehouse_location(model) }}'
{%- endmacro %}

{% macro warehouse_location(node) -%}
    {{ var("warehouse") }}/{{ warehouse_layer(node.schema) }}/{{ node.alias }}
{%- endmacro %}
