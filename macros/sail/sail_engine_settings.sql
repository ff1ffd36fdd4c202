{#
    Puts the local engine's session settings for one node: `settings` maps a setting to
    its value while the node runs and its value after (Sail takes them per session and
    keeps them for the rest of the invocation).
#}
{% macro put_engine_settings(settings, while_running) %}
    {%- for name, values in settings.items() -%}
        {%- do run_query('set ' ~ name ~ ' = ' ~ values[0 if while_running else 1]) -%}
    {%- endfor -%}
{% endmacro %}

{#
    `meta: {filters_in_scan: true}`: a node that reads a run's few changed rows out of
    whole tables has the engine apply its filters, the semi joins' key filters included,
    while it decodes Parquet, so it decodes the other columns of the matching rows only.
    Reading every row (a first build, a whole-table test) it would only add work, so each
    caller asks for it when it reads changes. A day at 30.5M line items:
    `silver_order_items`' new rows 1.3 to 1.5 s against 2.2 to 2.8 s, the accounting
    test 2.6 s against 3.2 s; as the engine's default, other nodes of the day were slower.
#}
{% macro filters_in_scan_settings(meta) %}
    {{ return({'datafusion.execution.parquet.pushdown_filters': ('true', 'false')}
        if meta.get('filters_in_scan') else {}) }}
{% endmacro %}
