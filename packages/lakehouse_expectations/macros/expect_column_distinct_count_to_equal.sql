{% test expect_column_distinct_count_to_equal(model, column_name, value, row_condition=none) %}
    {{ return(adapter.dispatch('test_expect_column_distinct_count_to_equal', 'dbt_expectations')(model, column_name, value, row_condition)) }}
{% endtest %}

{% macro default__test_expect_column_distinct_count_to_equal(model, column_name, value, row_condition) %}
{{ dbt_expectations.require_argument('expect_column_distinct_count_to_equal', 'value', value) }}

with

distinct_count as (

    select count(distinct {{ column_name }}) as distinct_values
    from {{ model }}
    {{ dbt_expectations.where_row_condition(row_condition) }}

),

validation_errors as (

    select distinct_values
    from distinct_count
    where distinct_values != {{ value }}

)

select * from validation_errors
{% endmacro %}
