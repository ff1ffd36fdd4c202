{#
    The window of an incremental run. Bronze is append-only and every row carries its
    `_loaded_at`, so the rows of a model's input that can change it are those loaded after
    the newest `_loaded_at` the model already holds. Delta keeps min/max statistics per
    file, and each loaded file is its own commit, so the engine skips older files unread.
    A model that records loads under another name gives it as `watermark`
    (silver_order_day_changes, the changed_days marts).
#}
{% macro loaded_since_last_run(column='_loaded_at', watermark='_loaded_at') -%}
    {{ column }} > (
        select coalesce(max({{ watermark }}), timestamp'1970-01-01') from {{ this }}
    )
{%- endmacro %}

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
