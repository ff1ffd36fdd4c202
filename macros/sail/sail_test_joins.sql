{#
    How the engine joins for a test, asked for in the test's `meta`, by what it reads:
    - `sort_merge_join: true`, when it reads whole tables (`tests_since()` is none):
      sort-merge joins, which spill to disk, instead of hash joins, which hold their whole
      build side in the memory pool and fail beyond it.
    - `joins_as_written: true`, when it checks what a run changed: each hash join builds on
      the side written first (the few keys the run touched), where the engine would build
      on the side it estimates smaller (all of Silver, against an overestimate).
    The settings are the session's, so they are put back once the test has run; a test
    that errors leaves them for the rest of the invocation (slower, not wrong).
#}
{% materialization test, adapter='sail' %}
    {%- set meta = config.get('meta') or {} -%}
    {%- set settings = {} -%}
    {%- if tests_since() is none and meta.get('sort_merge_join') -%}
        {%- do settings.update({'datafusion.optimizer.prefer_hash_join': ('false', 'true')}) -%}
    {%- elif tests_since() is not none and meta.get('joins_as_written') -%}
        {%- do settings.update({'datafusion.optimizer.join_reordering': ('false', 'true')}) -%}
    {%- endif -%}
    {%- for name, values in settings.items() -%}
        {%- do run_query('set ' ~ name ~ ' = ' ~ values[0]) -%}
    {%- endfor -%}
    {%- set relations = dbt.materialization_test_default() -%}
    {%- for name, values in settings.items() -%}
        {%- do run_query('set ' ~ name ~ ' = ' ~ values[1]) -%}
    {%- endfor -%}
    {{ return(relations) }}
{% endmaterialization %}
