{#
    Sail keeps no column list for a table re-attached from its Delta log (see
    warehouse_registry.sql), so `describe extended` of it returns nothing and dbt would
    see a table without columns. A temporary view over the table reads the schema from the
    Delta log, and describing the view gives dbt-spark the rows it parses.
#}
{% macro sail__get_columns_in_relation_raw(relation) -%}
    {%- set view = relation.identifier ~ '__dbt_columns' -%}
    {%- call statement('columns_view') -%}
        create or replace temporary view {{ view }} as select * from {{ relation }}
    {%- endcall -%}
    {%- call statement('get_columns_in_relation_raw', fetch_result=True) -%}
        describe extended {{ view }}
    {%- endcall -%}
    {{ return(load_result('get_columns_in_relation_raw').table) }}
{%- endmacro %}
