{#
    The bounds of a plausible value, from the project's variables (dbt_project.yml). The
    staging rules quarantine what lies outside them, and the Silver tests check the same
    bounds, so a row the rules keep never fails a test.
#}

{% macro first_business_date() -%}
    cast('{{ var("first_business_date") }}' as date)
{%- endmacro %}

{% macro now_for_rules() -%}
    {#- a macro of its own, so that unit tests can set the clock -#}
    current_timestamp()
{%- endmacro %}

{% macro latest_business_timestamp() -%}
    {%- set hours = var('future_tolerance_hours') -%}
    {%- if hours is not number or hours < 0 -%}
        {{ exceptions.raise_compiler_error(
            "vars.future_tolerance_hours (dbt_project.yml) must be a number of hours, "
            ~ "0 or more, not " ~ hours
        ) }}
    {%- endif -%}
    {{ now_for_rules() }} + make_dt_interval(0, {{ hours }})
{%- endmacro %}

{% macro max_order_amount() -%}
    {#- total_amount is decimal(12, 2): a larger cap would let through what it cannot hold -#}
    {%- set cap = var('max_order_amount') -%}
    {%- if cap is not number or cap <= 0 or cap > 9999999999.99 -%}
        {{ exceptions.raise_compiler_error(
            "vars.max_order_amount (dbt_project.yml) must be a number above 0 and at most "
            ~ "9999999999.99 (what total_amount's decimal(12, 2) holds), not " ~ cap
        ) }}
    {%- endif -%}
    {{ cap }}
{%- endmacro %}
