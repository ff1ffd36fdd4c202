{% test expect_table_row_count_to_equal_other_table(model, compare_model, group_by=none, compare_group_by=none, factor=1, row_condition=none, compare_row_condition=none) %}
    {{ return(adapter.dispatch('test_expect_table_row_count_to_equal_other_table', 'dbt_expectations')(model, compare_model, group_by, compare_group_by, factor, row_condition, compare_row_condition)) }}
{% endtest %}

{% macro default__test_expect_table_row_count_to_equal_other_table(model, compare_model, group_by, compare_group_by, factor, row_condition, compare_row_condition) %}
{# the other side takes this side's model, groups and row condition unless given its own #}
{% set compare_model = compare_model or model %}
{% set compare_group_by = compare_group_by or group_by %}
{% set compare_row_condition = compare_row_condition or row_condition %}
{% if (group_by or []) | length != (compare_group_by or []) | length %}
    {{ exceptions.raise_compiler_error(
        "expect_table_row_count_to_equal_other_table on " ~ model
        ~ ": `group_by` and `compare_group_by` must list as many columns"
    ) }}
{% endif %}

with

a as (

    select
        {% for column in group_by or [] %}{{ column }} as group_{{ loop.index }},{% endfor %}
        count(*) as row_count
    from {{ model }}
    {{ dbt_expectations.where_row_condition(row_condition) }}
    {% if group_by %}group by {{ group_by | join(', ') }}{% endif %}

),

b as (

    select
        {% for column in compare_group_by or [] %}{{ column }} as group_{{ loop.index }},{% endfor %}
        count(*) * {{ factor }} as row_count
    from {{ compare_model }}
    {{ dbt_expectations.where_row_condition(compare_row_condition) }}
    {% if compare_group_by %}group by {{ compare_group_by | join(', ') }}{% endif %}

),

validation_errors as (

    select
        {% for column in group_by or [] %}coalesce(a.group_{{ loop.index }}, b.group_{{ loop.index }}) as group_{{ loop.index }},{% endfor %}
        a.row_count as row_count,
        b.row_count as compare_row_count
    from a
    full outer join b
        on {% for column in group_by or [] %}a.group_{{ loop.index }} = b.group_{{ loop.index }} and {% endfor %}true
    where coalesce(a.row_count, 0) != coalesce(b.row_count, 0)

)

select * from validation_errors
{% endmacro %}
