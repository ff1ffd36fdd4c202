{#
    Every table dbt creates lives at WAREHOUSE/<schema>/<table>, the layout that ingestion,
    the tests and the summary read: `prod_silver.orders` at WAREHOUSE/prod_silver/orders,
    the rule dbt-glue follows for the tables it places itself. Replaces dbt-spark's
    `location_root` + alias so that no folder of the project repeats the warehouse path.
#}
{% macro spark__location_clause() %}
    location '{{ warehouse_location(model) }}'
{%- endmacro %}

{% macro warehouse_location(node) -%}
    {{ var("warehouse") }}/{{ node.schema }}/{{ node.alias }}
{%- endmacro %}
