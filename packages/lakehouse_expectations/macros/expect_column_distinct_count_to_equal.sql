{% test expect_column_distinct_count_to_equal(model, column_name, value, group_by=none, row_condition=none) %}
    {{ return(adapter.dispatch('test_expect_column_distinct_count_to_equal', 'dbt_expectations')(model, column_name, value, group_by, row_condition)) }}
{% endtest %}

{% macro default__test_expect_column_distinct_count_to_equal(model, column_name, value, group_by, row_condition) %}
{{ dbt_expectations.require_argument('expect_column_distinct_count_to_equal', 'value', value) }}

with

distinct_count as (

    {# nulls are not a value: count(distinct) leaves them out #}
    select
        {% if group_by %}{{ group_by | join(', ') }},{% endif %}
        count(distinct {{ column_name }}) as distinct_values
    from {{ model }}
    {{ dbt_expectations.where_row_condition(row_condition) }}
    {% if group_by %}group by {{ group_by | join(', ') }}{% endif %}

),

validation_errors as (

    select *
    from distinct_count
    where distinct_values != {{ value }}

)

select * from validation_errors
{% endmacro %}
