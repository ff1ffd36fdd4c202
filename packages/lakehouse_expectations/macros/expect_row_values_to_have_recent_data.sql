{% test expect_row_values_to_have_recent_data(model, column_name, datepart, interval, row_condition=none) %}
    {{ return(adapter.dispatch('test_expect_row_values_to_have_recent_data', 'dbt_expectations')(model, column_name, datepart, interval, row_condition)) }}
{% endtest %}

{% macro default__test_expect_row_values_to_have_recent_data(model, column_name, datepart, interval, row_condition) %}
{% set dateparts = ['microsecond', 'millisecond', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'] %}
{% if datepart not in dateparts %}
    {{ exceptions.raise_compiler_error(
        "expect_row_values_to_have_recent_data on " ~ model ~ "." ~ column_name
        ~ ": `datepart` must be one of " ~ dateparts | join(', ') ~ ", got '" ~ datepart ~ "'"
    ) }}
{% endif %}

with

latest as (

    {# a value later than now is an error in the data, not recent data #}
    select max(cast({{ column_name }} as timestamp)) as latest_value
    from {{ model }}
    {{ dbt_expectations.where_row_condition(row_condition) }}
    and cast({{ column_name }} as timestamp) <= {{ dbt.current_timestamp() }}

),

validation_errors as (

    {# no row at all is no recent data either #}
    select latest_value
    from latest
    where
        latest_value is null
        or latest_value < {{ dbt_expectations.ago(datepart, interval) }}

)

select * from validation_errors
{% endmacro %}

{% macro ago(datepart, interval) %}
    {{ return(adapter.dispatch('ago', 'dbt_expectations')(datepart, interval)) }}
{% endmacro %}

{% macro default__ago(datepart, interval) -%}
    {{ dbt.dateadd(datepart, -1 * interval, dbt.current_timestamp()) }}
{%- endmacro %}

{# Spark SQL subtracts an interval literal from a timestamp (a quarter is three months):
   https://spark.apache.org/docs/3.5.0/sql-ref-literals.html#interval-literal #}
{% macro spark__ago(datepart, interval) -%}
    {%- if datepart == 'quarter' -%}
        current_timestamp() - interval {{ 3 * interval }} month
    {%- else -%}
        current_timestamp() - interval {{ interval }} {{ datepart }}
    {%- endif -%}
{%- endmacro %}
