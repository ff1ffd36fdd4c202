{#
    A test with `meta: {sort_merge_join: true}` in its config runs with the engine's
    sort-merge joins, which spill to disk, instead of its hash joins, which hold their
    whole build side in the memory pool and fail beyond it. The setting is the session's,
    so it is put back once the test has run; a test that errors leaves the rest of the
    invocation on sort-merge joins (slower, not wrong).
#}
{% materialization test, adapter='sail' %}
    {%- set sort_merge = (config.get('meta') or {}).get('sort_merge_join', false) -%}
    {%- if sort_merge -%}
        {%- do run_query('set datafusion.optimizer.prefer_hash_join = false') -%}
    {%- endif -%}
    {%- set relations = dbt.materialization_test_default() -%}
    {%- if sort_merge -%}
        {%- do run_query('set datafusion.optimizer.prefer_hash_join = true') -%}
    {%- endif -%}
    {{ return(relations) }}
{% endmaterialization %}
