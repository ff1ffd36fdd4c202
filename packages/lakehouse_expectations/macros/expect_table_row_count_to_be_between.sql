{% test expect_table_row_count_to_be_between(model, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false) %}
    {{ return(adapter.dispatch('test_expect_table_row_count_to_be_between', 'dbt_expectations')(model, min_value, max_value, group_by, row_condition, strictly)) }}
{% endtest %}

{% macro default__test_expect_table_row_count_to_be_between(model, min_value, max_value, group_by, row_condition, strictly) %}
{% if min_value is none and max_value is none %}
    {{ exceptions.raise_compiler_error(
        "expect_table_row_count_to_be_between on " ~ model ~ ": give `min_value`, `max_value` or both"
    ) }}
{% endif %}

with

row_counts as (

    select
        {% if group_by %}{{ group_by | join(', ') }},{% endif %}
        count(*) as row_count
    from {{ model }}
    {{ dbt_expectations.where_row_condition(row_condition) }}
    {% if group_by %}group by {{ group_by | join(', ') }}{% endif %}

),

validation_errors as (

    select *
    from row_counts
    where not (
        {{ dbt_expectations.between_condition('row_count', min_value, max_value, strictly) }}
    )

)

select * from validation_errors
{% endmacro %}
