{% test expect_column_values_to_be_between(model, column_name, min_value=none, max_value=none, row_condition=none, strictly=false) %}
    {{ return(adapter.dispatch('test_expect_column_values_to_be_between', 'dbt_expectations')(model, column_name, min_value, max_value, row_condition, strictly)) }}
{% endtest %}

{% macro default__test_expect_column_values_to_be_between(model, column_name, min_value, max_value, row_condition, strictly) %}
{% if min_value is none and max_value is none %}
    {{ exceptions.raise_compiler_error(
        "expect_column_values_to_be_between on " ~ model ~ "." ~ column_name
        ~ ": give `min_value`, `max_value` or both"
    ) }}
{% endif %}

with

validation_errors as (

    select {{ column_name }}
    from {{ model }}
    {{ dbt_expectations.where_row_condition(row_condition) }}
    and not (
        {{ dbt_expectations.between_condition(column_name, min_value, max_value, strictly) }}
    )

)

select * from validation_errors
{% endmacro %}
