{#
    How a raw text value of Bronze reads as a typed value: trimmed, then cast, null when it
    does not parse. The staging models type their columns with these, and the quarantine
    rules (quarantine_rules.sql) test the very same expressions, so a row without a
    `_reason` has every required value typed.
#}

{% macro parse_whole_number(column, type='bigint') -%}
    try_cast(trim({{ column }}) as {{ type }})
{%- endmacro %}

{% macro parse_timestamp(column) -%}
    try_to_timestamp(trim({{ column }}))
{%- endmacro %}

{% macro parse_amount(column) -%}
    try_cast(trim({{ column }}) as decimal(12, 2))
{%- endmacro %}
