{% test expect_compound_columns_to_be_unique(model, column_list, quote_columns=false, ignore_row_if='all_values_are_missing', row_condition=none) %}
    {{ return(adapter.dispatch('test_expect_compound_columns_to_be_unique', 'dbt_expectations')(model, column_list, quote_columns, ignore_row_if, row_condition)) }}
{% endtest %}

{% macro default__test_expect_compound_columns_to_be_unique(model, column_list, quote_columns, ignore_row_if, row_condition) %}
{% if column_list is string or column_list | length < 1 %}
    {{ exceptions.raise_compiler_error(
        "expect_compound_columns_to_be_unique on " ~ model ~ ": `column_list` must be a list of columns"
    ) }}
{% endif %}
{% set columns = [] %}
{% for column in column_list %}
    {% do columns.append(adapter.quote(column) if quote_columns else column) %}
{% endfor %}
{% set ignore_conditions = {
    'all_values_are_missing': '(' ~ columns | join(' is not null or ') ~ ' is not null)',
    'any_value_is_missing': '(' ~ columns | join(' is not null and ') ~ ' is not null)',
} %}
{% if ignore_row_if not in ignore_conditions %}
    {{ exceptions.raise_compiler_error(
        "expect_compound_columns_to_be_unique on " ~ model ~ ": `ignore_row_if` must be "
        ~ "'all_values_are_missing' or 'any_value_is_missing', got '" ~ ignore_row_if ~ "'"
    ) }}
{% endif %}

with

validation_errors as (

    select {{ columns | join(', ') }}, count(*) as row_count
    from {{ model }}
    {{ dbt_expectations.where_row_condition(row_condition) }}
    and {{ ignore_conditions[ignore_row_if] }}
    group by {{ columns | join(', ') }}
    having count(*) > 1

)

select * from validation_errors
{% endmacro %}
