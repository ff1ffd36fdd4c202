{% test unique_combination(model, columns) %}
    {{ return(adapter.dispatch('test_unique_combination', 'lakehouse')(model, columns)) }}
{% endtest %}

{% macro default__test_unique_combination(model, columns) %}

{% if columns is string or columns | length < 2 %}
    {{ exceptions.raise_compiler_error(
        "unique_combination on " ~ model ~ ": `columns` must list at least two columns"
    ) }}
{% endif %}

with

validation_errors as (

    select {{ columns | join(', ') }}, count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1

)

select * from validation_errors

{% endmacro %}
