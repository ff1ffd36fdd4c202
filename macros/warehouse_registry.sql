{#
    The local engine's catalog lives in memory for one session. The registry, Delta tables
    at WAREHOUSE/meta/tables and WAREHOUSE/meta/views, lists every table of the warehouse
    (ingestion registers Bronze; the hook below registers what dbt builds) and the SQL of
    every view, and each session re-attaches the tables from their Delta logs, then
    re-creates the views, before anything runs. On Glue the Data Catalog persists both, so
    the hooks render no SQL there and dbt sends nothing to the Glue session.
#}

{% macro attach_warehouse_tables() %}
    {{ return(adapter.dispatch('attach_warehouse_tables', 'lakehouse')()) }}
{% endmacro %}

{% macro default__attach_warehouse_tables() %}{% endmacro %}

{% macro sail__attach_warehouse_tables() %}
    {% if execute %}
        {% set root = var('warehouse') %}
        {% if not root.startswith('/') %}
            {{ exceptions.raise_compiler_error(
                "The warehouse path must be absolute, got '" ~ root ~ "'. Set "
                ~ "LAKEHOUSE_WAREHOUSE to an absolute path, e.g. export "
                ~ "LAKEHOUSE_WAREHOUSE=$PWD/warehouse"
            ) }}
        {% endif %}
        {% do run_query('create schema if not exists meta') %}
        {% do run_query(
            "create table if not exists meta.tables "
            ~ "(schema_name string, table_name string) using delta "
            ~ "location '" ~ root ~ "/meta/tables'"
        ) %}
        {% do run_query(
            "create table if not exists meta.views "
            ~ "(schema_name string, view_name string, view_sql string) using delta "
            ~ "location '" ~ root ~ "/meta/views'"
        ) %}
        {% for row in run_query('select schema_name, table_name from meta.tables') %}
            {% do run_query('create schema if not exists ' ~ row[0]) %}
            {% do run_query(
                'create table if not exists ' ~ row[0] ~ '.' ~ row[1]
                ~ " using delta location '" ~ root ~ '/' ~ row[0] ~ '/' ~ row[1] ~ "'"
            ) %}
        {% endfor %}
        {% for row in run_query('select schema_name, view_name, view_sql from meta.views') %}
            {% do run_query('create schema if not exists ' ~ row[0]) %}
            {% do run_query('create or replace view ' ~ row[0] ~ '.' ~ row[1] ~ ' as ' ~ row[2]) %}
        {% endfor %}
    {% endif %}
    select 1
{% endmacro %}

{% macro register_warehouse_tables(results) %}
    {{ return(adapter.dispatch('register_warehouse_tables', 'lakehouse')(results)) }}
{% endmacro %}

{% macro default__register_warehouse_tables(results) %}{% endmacro %}

{% macro sail__register_warehouse_tables(results) %}
    {% set tables = [] %}
    {% set views = [] %}
    {% for result in results
        if result.status == 'success'
        and result.node.resource_type in ('model', 'seed', 'snapshot')
        and result.node.config.materialized != 'ephemeral' %}
        {% set name = "select '" ~ result.node.schema ~ "' as schema_name, '" ~ result.node.alias %}
        {% if result.node.config.materialized == 'view' %}
            {% do views.append(
                name ~ "' as view_name, '"
                ~ result.node.compiled_code | replace('\\', '\\\\') | replace("'", "\\'")
                ~ "' as view_sql"
            ) %}
        {% else %}
            {% do tables.append(name ~ "' as table_name") %}
        {% endif %}
    {% endfor %}
    {# a view's SQL may change; a table's entry never does, so an unchanged registry of
       tables gets no new commit #}
    {% do merge_into_registry('meta.views', 'view_name', views, update_matched=true) %}
    {% do merge_into_registry('meta.tables', 'table_name', tables, update_matched=false) %}
    select 1
{% endmacro %}

{% macro merge_into_registry(registry, name_column, rows, update_matched) %}
    {% if rows %}
        {% do run_query(
            'merge into ' ~ registry ~ ' as registry using ('
            ~ rows | join(' union all ') ~ ') as built '
            ~ 'on registry.schema_name = built.schema_name '
            ~ 'and registry.' ~ name_column ~ ' = built.' ~ name_column ~ ' '
            ~ ('when matched then update set * ' if update_matched else '')
            ~ 'when not matched then insert *'
        ) %}
    {% endif %}
{% endmacro %}
