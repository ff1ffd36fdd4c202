{% test positive_values(model, column_name) %}
    {{ return(adapter.dispatch('test_positive_values', 'lakehouse')(model, column_name)) }}
{% endtest %}

{% macro default__test_positive_values(model, column_name) %}

with

validation_errors as (

    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} <= 0

)

select * from validation_errors

{% endmacro %}
