{#
    How a raw text value of Bronze reads as a typed value: trimmed, then cast, null when it
    does not parse. A staging model types each raw column once, in a CTE, under the name
    `typed` gives (a timestamp once per format, under `typed_as_format`); the quarantine
    rules (quarantine_rules.sql) and the model's output read those very columns, so a row
    without a `_reason` has every required value typed, and no value is parsed twice.
#}

{% macro typed(column) -%}
    {#- a suffix, as the model keeps the raw column under its own name -#}
    {{ column }}__typed
{%- endmacro %}

{% macro typed_as_format(column, position) -%}
    {{ column }}__format_{{ position }}
{%- endmacro %}

{% macro parse_whole_number(column, type='bigint') -%}
    try_cast(trim({{ column }}) as {{ type }})
{%- endmacro %}

{% macro timestamp_formats() %}
    {% set formats = var('timestamp_formats') %}
    {% if formats is string or formats is not iterable or formats | length == 0 %}
        {{ exceptions.raise_compiler_error(
            "vars.timestamp_formats (dbt_project.yml) must be a list of one or more "
            ~ "datetime patterns, not " ~ formats
        ) }}
    {% endif %}
    {{ return(formats) }}
{% endmacro %}

{% macro parse_timestamp_as(column, format) -%}
    {#- upper case: Spark matches pattern text case-insensitively, Sail 0.7 only as written -#}
    try_to_timestamp(upper(trim({{ column }})), {{ sql_string(format) }})
{%- endmacro %}

{% macro sql_string(text) -%}
    {#- a literal without backslash escapes: dbt-glue sends SQL inside a Python string,
        which would consume them -#}
    {%- if "'" not in text -%}
        '{{ text }}'
    {%- elif '"' not in text -%}
        "{{ text }}"
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "vars.timestamp_formats: " ~ text ~ " holds both ' and \"; quote its literal "
            ~ "text with ' only"
        ) }}
    {%- endif -%}
{%- endmacro %}

{% macro parse_timestamp_formats(column) -%}
    {#- select list items: the value read under each of vars.timestamp_formats, one column
        a format, for the ambiguity rule to compare and `typed_timestamp` to pick from -#}
    {%- for format in timestamp_formats() %}
        {{ parse_timestamp_as(column, format) }} as {{ typed_as_format(column, loop.index) }}
        {{- ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro typed_timestamp(column) -%}
    {#- the first of vars.timestamp_formats that reads the value (the rules reject a value
        two formats read as different times), from the columns of `parse_timestamp_formats` -#}
    coalesce(
        {%- for format in timestamp_formats() %}
        {{ typed_as_format(column, loop.index) }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro amount_pattern() -%}
    '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)$'
{%- endmacro %}

{% macro parse_amount(column) -%}
    {#- the pattern first: Spark casts '1e3' to 1000.00, Sail does not -#}
    case
        when trim({{ column }}) rlike {{ amount_pattern() }}
            then try_cast(trim({{ column }}) as decimal(12, 2))
    end
{%- endmacro %}
