{#
    The window of an incremental run. Bronze is append-only and every row carries its
    `_loaded_at`, so the rows of a model's input that can change it are those loaded after
    the newest `_loaded_at` the model already holds. Delta keeps min/max statistics per
    file, and each loaded file is its own commit, so the engine skips older files unread.
#}
{% macro loaded_since_last_run(column='_loaded_at') -%}
    {{ column }} > (
        select coalesce(max(_loaded_at), timestamp'1970-01-01') from {{ this }}
    )
{%- endmacro %}
