{#
    `dbt docs generate` runs no on-run-start hook, and dbt-spark reads a table's columns
    for the catalog from `show table extended`, which Sail leaves empty for a table
    re-attached from its Delta log. So while docs are generated, the first schema listing
    attaches the warehouse, and each listed table without columns gets them from a
    temporary view over it. Other commands list relations as dbt-spark does.
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
            else row[3] ~ columns_information(row[0] ~ '.' ~ row[1]) %}
        {% do relations.append([row[0], row[1], row[2], information]) %}
    {% endfor %}
    {{ return(relations) }}
{% endmacro %}

{# The ` |-- name: type (nullable = ...)` lines Sail prints for a temporary view's schema. #}
{% macro columns_information(table) %}
    {% set view = table | replace('.', '__') ~ '__dbt_columns' %}
    {% do run_query('create or replace temporary view ' ~ view ~ ' as select * from ' ~ table) %}
    {% set information = run_query("show table extended like '" ~ view ~ "'")[0][3] %}
    {{ return(information.split('Schema: root')[1]) }}
{% endmacro %}
