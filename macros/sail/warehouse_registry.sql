{#
    The local engine's catalog lives in memory for one session. The registry, a Delta table
    at WAREHOUSE/meta/tables, lists every table of the warehouse (ingestion registers
    Bronze; the hook below registers what dbt builds), and each session re-attaches the
    tables from their Delta logs before anything runs. No model of the project is a view:
    a view would live only in the session that builds it. On Glue the Data Catalog
    persists tables, so the hooks render no SQL there and dbt sends nothing to the Glue
    session. The registry records schemas as dbt names them (macros/naming.sql), which
    are also the tables' folders: WAREHOUSE/<schema>/<table>.
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
        {% set registered = run_query('select schema_name, table_name from meta.tables') %}
        {# each statement costs dbt about 10 ms besides the engine's time: a schema once #}
        {% for schema in registered.columns[0].values() | unique %}
            {% do run_query('create schema if not exists ' ~ schema) %}
        {% endfor %}
        {% for row in registered %}
            {% do run_query(
                'create table if not exists ' ~ row[0] ~ '.' ~ row[1]
                ~ " using delta location '" ~ root ~ '/' ~ row[0] ~ '/' ~ row[1] ~ "'"
            ) %}
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
    {% for result in results
        if result.status == 'success'
        and result.node.resource_type in ('model', 'seed', 'snapshot')
        and is_a_table(result.node) %}
        {% do tables.append(
            "select '" ~ result.node.schema ~ "' as schema_name, '"
            ~ result.node.alias ~ "' as table_name"
        ) %}
    {% endfor %}
    {% for result in results if result.node.config.materialized == 'view' %}
        {% do exceptions.warn(
            result.node.name ~ " is a view: on the local engine it lasts only for this dbt "
            ~ "invocation (the registry keeps tables). Materialize it as a table."
        ) %}
    {% endfor %}
    {# only new entries are written, so an unchanged registry gets no new commit #}
    {% if tables %}
        {% do run_query(
            'merge into meta.tables as registry using ('
            ~ tables | join(' union all ') ~ ') as built '
            ~ 'on registry.schema_name = built.schema_name '
            ~ 'and registry.table_name = built.table_name '
            ~ 'when not matched then insert *'
        ) %}
    {% endif %}
    select 1
{% endmacro %}
