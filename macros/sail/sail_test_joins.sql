{#
    How the engine joins and reads for a test, asked for in the test's `meta`, by what the
    test reads:
    - `sort_merge_join: true`, when it reads whole tables (`tests_since()` is none):
      sort-merge joins, which spill to disk, instead of hash joins, which hold their whole
      build side in the memory pool and fail beyond it.
    - `joins_as_written: true`, when it checks what a run changed: each hash join builds on
      the side written first (the few keys the run touched), where the engine would build
      on the side it estimates smaller (all of Silver, against an overestimate).
    - `filters_in_scan: true`, when it checks what a run changed: filters applied while
      the engine decodes Parquet (macros/sail/sail_engine_settings.sql).
    The settings are the session's, so they are put back once the test has run; a test
    that errors leaves them for the rest of the invocation (slower, not wrong).
#}
{% materialization test, adapter='sail' %}
    {%- set meta = config.get('meta') or {} -%}
    {%- set settings = {} -%}
    {%- if tests_since() is none and meta.get('sort_merge_join') -%}
        {%- do settings.update({'datafusion.optimizer.prefer_hash_join': ('false', 'true')}) -%}
    {%- elif tests_since() is not none -%}
        {%- if meta.get('joins_as_written') -%}
            {%- do settings.update({'datafusion.optimizer.join_reordering': ('false', 'true')}) -%}
        {%- endif -%}
        {%- do settings.update(filters_in_scan_settings(meta)) -%}
    {%- endif -%}
    {%- do put_engine_settings(settings, while_running=true) -%}
    {%- set relations = dbt.materialization_test_default() -%}
    {%- do put_engine_settings(settings, while_running=false) -%}
    {{ return(relations) }}
{% endmaterialization %}
