{% test expect_column_values_to_match_regex(model, column_name, regex, row_condition=none, is_raw=false, flags='') %}
    {{ return(adapter.dispatch('test_expect_column_values_to_match_regex', 'dbt_expectations')(model, column_name, regex, row_condition, is_raw, flags)) }}
{% endtest %}

{% macro default__test_expect_column_values_to_match_regex(model, column_name, regex, row_condition, is_raw, flags) %}
{# the regex goes into the SQL string literal as written: the engine's own string
   escapes apply, so on Spark a YAML "\\\\d" is the regex \d (a YAML "\\d" is just d) #}

with

validation_errors as (

    select {{ column_name }}
    from {{ model }}
    {{ dbt_expectations.where_row_condition(row_condition) }}
    and not ({{ dbt_expectations.regex_matches(column_name, regex, is_raw, flags) }})

)

select * from validation_errors
{% endmacro %}

{% macro regex_matches(expression, pattern, is_raw=false, flags='') %}
    {{ return(adapter.dispatch('regex_matches', 'dbt_expectations')(expression, pattern, is_raw, flags)) }}
{% endmacro %}

{% macro warn_unsupported_regex_options(is_raw, flags) %}
    {% if is_raw or flags %}
        {{ exceptions.warn(
            "expect_column_values_to_match_regex: `is_raw` and `flags` have no effect on "
            ~ target.type ~ "; put inline flags such as (?i) in the regex instead"
        ) }}
    {% endif %}
{% endmacro %}

{# the position of the first match, 0 when there is none #}
{% macro default__regex_matches(expression, pattern, is_raw, flags) -%}
    {%- do dbt_expectations.warn_unsupported_regex_options(is_raw, flags) %}
    regexp_instr({{ expression }}, '{{ pattern }}', 1, 1) > 0
{%- endmacro %}

{# Spark SQL: the length of the first match regexp_extract finds (group 0 is the whole
   match, '' when there is none), so an empty first match does not count:
   https://spark.apache.org/docs/3.5.0/api/sql/index.html#regexp_extract #}
{% macro spark__regex_matches(expression, pattern, is_raw, flags) -%}
    {%- do dbt_expectations.warn_unsupported_regex_options(is_raw, flags) %}
    length(regexp_extract({{ expression }}, '{{ pattern }}', 0)) > 0
{%- endmacro %}
