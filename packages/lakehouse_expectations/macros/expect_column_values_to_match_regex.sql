{% test expect_column_values_to_match_regex(model, column_name, regex, row_condition=none, is_raw=false) %}
    {{ return(adapter.dispatch('test_expect_column_values_to_match_regex', 'dbt_expectations')(model, column_name, regex, row_condition, is_raw)) }}
{% endtest %}

{% macro default__test_expect_column_values_to_match_regex(model, column_name, regex, row_condition, is_raw) %}
{# a regex written for YAML (`\d`) becomes a SQL string literal ('\\d') unless is_raw #}
{% set pattern = regex if is_raw else regex | replace("\\", "\\\\") | replace("'", "\\'") %}

with

validation_errors as (

    select {{ column_name }}
    from {{ model }}
    {{ dbt_expectations.where_row_condition(row_condition) }}
    and
        not {{ dbt_expectations.regex_matches(column_name, pattern) }}

)

select * from validation_errors
{% endmacro %}

{% macro regex_matches(expression, pattern) %}
    {{ return(adapter.dispatch('regex_matches', 'dbt_expectations')(expression, pattern)) }}
{% endmacro %}

{% macro default__regex_matches(expression, pattern) -%}
    regexp_like({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{# Spark SQL's operator for Java regular expressions:
   https://spark.apache.org/docs/3.5.0/api/sql/index.html#rlike #}
{% macro spark__regex_matches(expression, pattern) -%}
    {{ expression }} rlike '{{ pattern }}'
{%- endmacro %}
