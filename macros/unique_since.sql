{#
    dbt's `unique` test, narrowed in a scheduled run (`tests_since()`) for a model that
    names, in `meta.inserted_at`, the column holding when each row was inserted (Silver:
    `_in_silver_since`, which a merge that updates a row keeps). A key can only be
    duplicated by an insert, so the keys inserted since are counted over the whole table:
    on 9.8M line items, 0.04 s against 0.6 to 1.7 s for grouping all of them. By hand, on
    Glue, on the first build and for other models, the whole table is grouped, as dbt does.
#}
{% macro default__test_unique(model, column_name) %}
    {%- set inserted_at = inserted_at_column() -%}
    {%- set since = tests_since() if inserted_at else none -%}
    {%- if since is none -%}
        {{ dbt.default__test_unique(model, column_name) }}
    {%- else -%}
        with

        whole as (

            select {{ column_name }}, {{ inserted_at }} from {{ model }}

        ),

        inserted as (

            select distinct {{ column_name }}
            from whole
            where {{ inserted_at }} >= {{ since }} and {{ column_name }} is not null

        )

        select
            whole.{{ column_name }} as unique_field,
            count(*) as n_records
        from inserted
        inner join whole
            on inserted.{{ column_name }} = whole.{{ column_name }}
        group by whole.{{ column_name }}
        having count(*) > 1
    {%- endif -%}
{% endmacro %}

{# The `meta.inserted_at` of the model the running test is attached to, or none. #}
{% macro inserted_at_column() %}
    {%- set node = graph.nodes.get(model.attached_node) if execute and model.attached_node -%}
    {{ return(node.config.meta.get('inserted_at') if node else none) }}
{% endmacro %}
