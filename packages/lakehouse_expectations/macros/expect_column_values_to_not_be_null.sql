{% test expect_column_values_to_not_be_null(model, column_name, row_condition=none) %}
    {{ return(adapter.dispatch('test_expect_column_values_to_not_be_null', 'dbt_expectations')(model, column_name, row_condition)) }}
{% endtest %}

{% macro default__test_expect_column_values_to_not_be_null(model, column_name, row_condition) %}

with

validation_errors as (

    select {{ column_name }}
    from {{ model }}
    {{ dbt_expectations.where_row_condition(row_condition) }}
    and {{ column_name }} is null

)

select * from validation_errors
{% endmacro %}
