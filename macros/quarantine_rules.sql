{#
    `when ... then '<reason>'` branches for the staging models' `_reason` column, applied to
    the raw text columns of Bronze and to the typed columns the model derives from them
    (raw_values.sql: `typed`, `typed_as_format`). The first rule a row breaks is its reason.
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
        when not {{ blank(column) }} and {{ typed(column) }} is null
            then '{{ column }} is out of the {{ type }} range'
{% endmacro %}

{% macro reason_if_not_timestamp(column) %}
        when {{ blank(column) }} then '{{ column }} is missing'
        when {{ typed_timestamp(column) }} is null
            then '{{ column }} does not parse as a timestamp'
    {% set formats = timestamp_formats() %}
    {% for first in formats %}
        {% set first_position = loop.index %}
        {% for second in formats[first_position:] %}
        when {{ typed_as_format(column, first_position) }}
            <> {{ typed_as_format(column, first_position + loop.index) }}
            then {{ sql_string(
                column ~ ' is ambiguous: ' ~ first ~ ' and ' ~ second
                ~ ' read it as different times'
            ) }}
        {% endfor %}
    {% endfor %}
{% endmacro %}

{% macro reason_if_outside_business_time(column) %}
        when to_date({{ typed_timestamp(column) }}) < {{ first_business_date() }}
            then '{{ column }} is before first_business_date ({{ var("first_business_date") }})'
        when {{ typed_timestamp(column) }} > {{ latest_business_timestamp() }}
            then '{{ column }} is after now + {{ var("future_tolerance_hours") }} hours
                {{- " " }}(future_tolerance_hours)'
{% endmacro %}

{% macro reason_if_not_amount(column) %}
        when {{ blank(column) }} then '{{ column }} is missing'
        when not trim({{ column }}) rlike {{ amount_pattern() }}
            then '{{ column }} is not numeric'
        {# a cast to decimal(12, 2) would round it; trailing zeros round nothing #}
        when trim({{ column }}) rlike '[.][0-9]{2}[0-9]*[1-9]'
            then '{{ column }} has more than 2 decimal places'
        when trim({{ column }}) like '-%' or {{ typed(column) }} = 0
            then '{{ column }} is not positive'
        {# null here: too large for decimal(12, 2), which the cap is not #}
        when {{ typed(column) }} is null or {{ typed(column) }} > {{ max_order_amount() }}
            then '{{ column }} is above max_order_amount ({{ max_order_amount() }})'
{% endmacro %}

{% macro reason_if_blank(column) %}
        when {{ blank(column) }} then '{{ column }} is missing'
{% endmacro %}
