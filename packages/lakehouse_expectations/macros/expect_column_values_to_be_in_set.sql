{% test expect_column_values_to_be_in_set(model, column_name, value_set, quote_values=true, row_condition=none) %}
    {{ return(adapter.dispatch('test_expect_column_values_to_be_in_set', 'dbt_expectations')(model, column_name, value_set, quote_values, row_condition)) }}
{% endtest %}

{% macro default__test_expect_column_values_to_be_in_set(model, column_name, value_set, quote_values, row_condition) %}
{% if value_set is string or not value_set %}
    {{ exceptions.raise_compiler_error(
        "expect_column_values_to_be_in_set on " ~ model ~ "." ~ column_name
        ~ ": `value_set` must be a non-empty list"
    ) }}
{% endif %}

with

validation_errors as (

    {# a value passes only when it equals one of the set: a null equals nothing #}
    select {{ column_name }}
    from {{ model }}
    {{ dbt_expectations.where_row_condition(row_condition) }}
    and not coalesce(
        {%- for value in value_set %}
        {{ column_name }} = {{ dbt_expectations.sql_value(value, quote_values) }}
        {%- if not loop.last %} or{% endif %}
        {%- endfor %},
        false
    )

)

select * from validation_errors
{% endmacro %}
