{#
    The window of an incremental run. Bronze is append-only and every row carries its
    `_loaded_at`, so the rows of a model's input that can change it are those loaded after
    the newest `_loaded_at` the model already holds. A model that records loads under
    another name gives it as `watermark` (silver_order_day_changes, the changed_days marts).
#}
{% macro loaded_since_last_run(column='_loaded_at', watermark='_loaded_at') -%}
    {{ column }} > {{ newest_in_this(watermark) }}
{%- endmacro %}

{#
    The newest value of a timestamp column of the model being built, or 1970 when it holds
    none, read once before the model's query and written into it as a literal: Delta keeps
    min/max statistics per file, so the engine skips the files of a literal window's older
    loads unread. As a subquery it was worked out again at each use, a scan of the model's
    column (0.1 s in Silver at 30.5M line items), and skipped no file. A unit test's `this`
    is rows inside the test's own query, so there it stays a subquery.
#}
{% macro newest_in_this(column) %}
    {% set epoch = "timestamp'1970-01-01'" %}
    {% if not execute or model.resource_type == 'unit_test' %}
        {{ return('(select coalesce(max(' ~ column ~ '), ' ~ epoch ~ ') from ' ~ this ~ ')') }}
    {% endif %}
    {% set micros = run_query(
        'select unix_micros(max(' ~ column ~ ')) from ' ~ this
    ).columns[0].values()[0] %}
    {{ return(epoch if micros is none else 'timestamp_micros(' ~ micros ~ ')') }}
{% endmacro %}

{#
    The window of a scheduled run's data tests: `LAKEHOUSE_TESTS_SINCE`, an instant with
    its offset that `lakehouse run` sets to the end of the last build whose tests all passed.
    A test that reads whole tables can then check only the rows the run could have changed.
    None (unset, or while dbt parses, so the variable does not make it parse again) means
    whole tables: `dbt test` by hand, the first build, Glue.
#}
{% macro tests_since() %}
    {% set value = env_var('LAKEHOUSE_TESTS_SINCE', '') if execute else '' %}
    {% if not value %}
        {{ return(none) }}
    {% endif %}
    {% set instant = modules.datetime.datetime.fromisoformat(value) if
        modules.re.fullmatch('\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,6})?[+-]\\d\\d:\\d\\d', value)
    %}
    {% if not instant %}
        {{ exceptions.raise_compiler_error(
            "LAKEHOUSE_TESTS_SINCE must be an ISO instant with its offset, like "
            ~ "2026-01-31T06:00:00+00:00, not '" ~ value ~ "'"
        ) }}
    {% endif %}
    {{ return("timestamp'" ~ instant.isoformat(sep=' ') ~ "'") }}
{% endmacro %}

{#
    Narrows the whole table a join looks a run's keys up in (staging, Silver) to the range
    of those keys. The local engine passes no filter from a join's keys to the other side's
    scan, so the join reads every row of the big table; two scalar subqueries are worked out
    first and reach the scan, which skips the files and row groups outside the range by
    their min/max statistics. A run's keys are mostly new, so their range is narrow; an old
    key widens it, at worst to the whole table, and never changes which rows join.
#}
{% macro within_range_of(column, keys, key=none) -%}
    {%- set key = key or column.split('.')[-1] -%}
    {{ column }} between (select min({{ key }}) from {{ keys }})
        and (select max({{ key }}) from {{ keys }})
{%- endmacro %}
