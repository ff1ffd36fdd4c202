{#
    `when ... then '<reason>'` branches for the staging models' `_reason` column, applied to
    the raw text columns of Bronze. The first rule a row breaks is its reason.
#}

{% macro blank(column) -%}
    nullif(trim({{ column }}), '') is null
{%- endmacro %}

{% macro reason_if_not_whole_number(column, required=true, type='bigint') %}
    {% if required %}
        when {{ blank(column) }} then '{{ column }} is missing'
    {% endif %}
        when not {{ blank(column) }} and not trim({{ column }}) rlike '^[+-]?[0-9]+$'
            then '{{ column }} is not a whole number'
        {# the type the model casts to: a value out of its range would become null #}
        when not {{ blank(column) }} and {{ parse_whole_number(column, type) }} is null
            then '{{ column }} is out of the {{ type }} range'
{% endmacro %}

{% macro reason_if_not_timestamp(column) %}
        when {{ blank(column) }} then '{{ column }} is missing'
        when {{ parse_timestamp(column) }} is null
            then '{{ column }} does not parse as a timestamp'
    {% set formats = timestamp_formats() %}
    {% for first in formats %}
        {% for second in formats[loop.index:] %}
        when {{ parse_timestamp_as(column, first) }} <> {{ parse_timestamp_as(column, second) }}
            then {{ sql_string(
                column ~ ' is ambiguous: ' ~ first ~ ' and ' ~ second
                ~ ' read it as different times'
            ) }}
        {% endfor %}
    {% endfor %}
{% endmacro %}

{% macro reason_if_outside_business_time(column) %}
        when to_date({{ parse_timestamp(column) }}) < {{ first_business_date() }}
            then '{{ column }} is before first_business_date ({{ var("first_business_date") }})'
        when {{ parse_timestamp(column) }} > {{ latest_business_timestamp() }}
            then '{{ column }} is after now + {{ var("future_tolerance_hours") }} hours
                {{- " " }}(future_tolerance_hours)'
{% endmacro %}

{% macro reason_if_not_amount(column) %}
        when {{ blank(column) }} then '{{ column }} is missing'
        when not trim({{ column }}) rlike '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)$'
            then '{{ column }} is not numeric'
        {# a cast to decimal(12, 2) would round it; trailing zeros round nothing #}
        when trim({{ column }}) rlike '[.][0-9]{2}[0-9]*[1-9]'
            then '{{ column }} has more than 2 decimal places'
        when trim({{ column }}) like '-%' or {{ parse_amount(column) }} = 0
            then '{{ column }} is not positive'
        {# null here: too large for decimal(12, 2), which the cap is not #}
        when {{ parse_amount(column) }} is null or {{ parse_amount(column) }} > {{ max_order_amount() }}
            then '{{ column }} is above max_order_amount ({{ max_order_amount() }})'
{% endmacro %}

{% macro reason_if_blank(column) %}
        when {{ blank(column) }} then '{{ column }} is missing'
{% endmacro %}
