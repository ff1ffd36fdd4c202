{#
    `when ... then '<reason>'` branches for the staging models' `_reason` column, applied to
    the raw text columns of Bronze. The first rule a row breaks is its reason.
#}

{% macro blank(column) -%}
    nullif(trim({{ column }}), '') is null
{%- endmacro %}

{% macro reason_if_not_whole_number(column, required=true) %}
    {% if required %}
        when {{ blank(column) }} then '{{ column }} is missing'
    {% endif %}
        when not {{ blank(column) }} and {{ parse_whole_number(column) }} is null
            then '{{ column }} is not a whole number'
{% endmacro %}

{% macro reason_if_not_timestamp(column) %}
        when {{ blank(column) }} then '{{ column }} is missing'
        when {{ parse_timestamp(column) }} is null
            then '{{ column }} does not parse as a timestamp'
{% endmacro %}

{% macro reason_if_not_positive_amount(column) %}
        when {{ blank(column) }} then '{{ column }} is missing'
        when {{ parse_amount(column) }} is null
            then '{{ column }} is not numeric'
        when {{ parse_amount(column) }} <= 0
            then '{{ column }} is not positive'
{% endmacro %}

{% macro reason_if_blank(column) %}
        when {{ blank(column) }} then '{{ column }} is missing'
{% endmacro %}
