{#
    dbt's unit tests create their temporary view with a fetched query, and dbt-glue fails
    any fetched statement that returns no columns. So on Glue the view is created as a
    statement of its own, and the fetched query reads its (empty) columns instead.
#}
{% macro glue__get_create_table_as_sql(temporary, relation, sql) %}
    {% if not temporary %}
        {{ return(default__get_create_table_as_sql(temporary, relation, sql)) }}
    {% endif %}
    {% call statement('create_temporary_view') %}
        {{ create_table_as(temporary, relation, sql) }}
    {% endcall %}
    {{ return('select * from ' ~ relation.include(schema=false) ~ ' limit 0') }}
{% endmacro %}
