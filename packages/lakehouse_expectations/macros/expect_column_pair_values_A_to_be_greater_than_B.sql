{% test expect_column_pair_values_A_to_be_greater_than_B(model, column_A, column_B, or_equal=false, row_condition=none) %}
    {{ return(adapter.dispatch('test_expect_column_pair_values_A_to_be_greater_than_B', 'dbt_expectations')(model, column_A, column_B, or_equal, row_condition)) }}
{% endtest %}

{% macro default__test_expect_column_pair_values_A_to_be_greater_than_B(model, column_A, column_B, or_equal, row_condition) %}

with

validation_errors as (

    select {{ column_A }}, {{ column_B }}
    from {{ model }}
    {{ dbt_expectations.where_row_condition(row_condition) }}
    and
        not ({{ column_A }} {{ '>=' if or_equal else '>' }} {{ column_B }})

)

select * from validation_errors
{% endmacro %}
