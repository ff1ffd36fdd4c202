{# always opens a where clause, so a test appends `and <its condition>` #}
{% macro where_row_condition(row_condition) -%}
    where {{ '(' ~ row_condition ~ ')' if row_condition else 'true' }}
{%- endmacro %}

{% macro require_argument(test_name, argument, value) %}
    {% if value is none %}
        {{ exceptions.raise_compiler_error(
            test_name ~ ": the argument `" ~ argument ~ "` is required"
        ) }}
    {% endif %}
{% endmacro %}

{# a string literal (its single quotes escaped) unless quote_values is false #}
{% macro sql_value(value, quote_values=true) -%}
    {%- if quote_values -%}'{{ value | string | replace("'", "\\'") }}'{%- else -%}{{ value }}{%- endif -%}
{%- endmacro %}

{# `a >= low and a <= high`, or strict; a bound left out is not checked #}
{% macro between_condition(expression, min_value, max_value, strictly=false) -%}
    {%- set low = '>' if strictly else '>=' -%}
    {%- set high = '<' if strictly else '<=' -%}
    {%- if min_value is not none and max_value is not none -%}
        {{ expression }} {{ low }} {{ min_value }} and {{ expression }} {{ high }} {{ max_value }}
    {%- elif min_value is not none -%}
        {{ expression }} {{ low }} {{ min_value }}
    {%- else -%}
        {{ expression }} {{ high }} {{ max_value }}
    {%- endif -%}
{%- endmacro %}
