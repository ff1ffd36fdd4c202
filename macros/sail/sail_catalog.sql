{#
    `dbt docs generate` runs no on-run-start hook, and dbt-spark reads a table's columns
    for the catalog from `show table extended`, which Sail leaves empty for a table
    re-attached from its Delta log. So while docs are generated, the first schema listing
    attaches the warehouse, and each listed table without columns gets them from
    adapter.get_columns_in_relation: `describe extended` of a temporary view over the
    table (sail_columns.sql), structured col_name / data_type rows. Other commands list
    relations as dbt-spark does.
#}
{% macro sail__list_relations_without_caching(relation) %}
    {% if flags.WHICH != 'generate' %}
        {{ return(spark__list_relations_without_caching(relation)) }}
    {% endif %}
    {% if not run_query("show tables like 'warehouse_attached'") %}
        {% do attach_warehouse_tables() %}
        {% do run_query('create or replace temporary view warehouse_attached as select 1 as attached') %}
    {% endif %}
    {% set relations = [] %}
    {% for row in spark__list_relations_without_caching(relation) %}
        {% set information = row[3] if ' |-- ' in row[3] or row[0] == ''
            else row[3] ~ columns_information(row[0], row[1]) %}
        {% do relations.append([row[0], row[1], row[2], information]) %}
    {% endfor %}
    {{ return(relations) }}
{% endmacro %}

{#
    A table's columns written as the schema lines dbt-spark's catalog parses from a
    relation's information (` |-- name: type (nullable = ...)`; it keeps the name and the
    type). `describe` does not state nullability, so every line says `true`.
#}
{% macro columns_information(schema, table) %}
    {% set relation = api.Relation.create(schema=schema, identifier=table, type='table') %}
    {% set lines = [''] %}
    {% for column in adapter.get_columns_in_relation(relation) %}
        {% do lines.append(' |-- ' ~ column.name ~ ': ' ~ column.dtype ~ ' (nullable = true)') %}
    {% endfor %}
    {{ return(lines | join('\n') ~ '\n') }}
{% endmacro %}
