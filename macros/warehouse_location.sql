{#
    Every table dbt creates lives at WAREHOUSE/<schema>/<table>, the layout that ingestion,
    the tests and the summary read. Replaces dbt-spark's `location_root` + alias so that
    no folder of the project repeats the warehouse path.
#}
{% macro spark__location_clause() %}
    location '{{ var("warehouse") }}/{{ model.schema }}/{{ model.alias }}'
{%- endmacro %}
