{#
    A mart grained by day that a run recomputes only for the days its inputs changed.
    `days_changed_in` names a model with one row per day (`day_column`) and the newest
    load that changed it (`_changed_by_load_at`, silver_order_day_changes); the mart keeps,
    in `_loaded_until`, the newest such load when each row was computed. A run recomputes
    the days changed after the mart's newest `_loaded_until` and swaps them in with one
    `insert ... replace where`: one Delta commit, which also drops the rows of a day that
    no longer computes them (its only order moved away); other days' rows stay as written.
    The first build, `--full-refresh` and a change of the model's columns build the whole
    table. Works alike on the local engine and on Glue's Spark 3.5 with Delta 3.3: both
    take `replace where`.
#}
{% materialization changed_days, default %}
    {%- set day_column = config.require('day_column') -%}
    {%- set changes = ref(config.require('days_changed_in')) -%}
    {%- set existing = none if should_full_refresh() else load_cached_relation(this) -%}
    {%- set target = this.incorporate(type='table') -%}

    {{ run_hooks(pre_hooks) }}

    {%- if existing is not none -%}
        {%- set built = adapter.get_columns_in_relation(existing) | map(attribute='name') -%}
        {%- set computed = get_column_schema_from_query(sql) | map(attribute='name') -%}
        {%- set existing = existing if built | list == computed | list else none -%}
    {%- endif -%}

    {%- if existing is none -%}
        {%- call statement('main') -%}
            {{ create_table_as(False, target, sql) }}
        {%- endcall -%}
    {%- else -%}
        {%- if config.get('contract').enforced -%}
            {%- do get_assert_columns_equivalent(sql) -%}
        {%- endif -%}
        {%- set days = run_query(
            'select ' ~ day_column ~ ' from ' ~ changes ~ ' where '
            ~ loaded_since_last_run('_changed_by_load_at', watermark='_loaded_until')
        ).columns[0].values() -%}
        {%- call statement('main') -%}
            {%- if days -%}
                {%- set changed = day_column ~ " in (date'" ~ days | join("', date'") ~ "')" -%}
                insert into {{ target }} replace where {{ changed }}
                select * from ({{ sql }}) where {{ changed }}
            {%- else -%}
                select 'no {{ day_column }} changed since {{ target }} was computed'
            {%- endif -%}
        {%- endcall -%}
    {%- endif -%}

    {{ run_hooks(post_hooks) }}
    {%- do persist_docs(target, model) -%}
    {{ return({'relations': [target]}) }}
{% endmaterialization %}

{#
    The `_loaded_until` column of a changed_days mart: the newest load its days' changes
    record, read when the row is computed.
#}
{% macro loaded_until(days_changed_in) -%}
    (select max(_changed_by_load_at) from {{ ref(days_changed_in) }})
{%- endmacro %}
