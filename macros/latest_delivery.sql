{#
    The rows of `relation` with a `delivery_rank` column, 1 for the latest delivery of each
    key (load order: `_loaded_at`, then `_source_file`, then `_row_number`). Almost every
    key is delivered once, so only the keys delivered more than once are ranked with a
    window: counting per key is a hash aggregate, while a window over every row sorts
    them all (silver.order_items, 10M rows: the window alone took about 10 s of 2 cores).
#}
{% macro latest_delivery(relation, key) %}
    select
        {{ relation }}.*,
        1 as delivery_rank
    from {{ relation }}
    left anti join (
        select {{ key }} from {{ relation }} group by {{ key }} having count(*) > 1
    ) as redelivered
        on {{ relation }}.{{ key }} = redelivered.{{ key }}

    union all

    select
        *,
        row_number() over (
            partition by {{ key }}
            order by _loaded_at desc, _source_file desc, _row_number desc
        ) as delivery_rank
    from {{ relation }}
    left semi join (
        select {{ key }} from {{ relation }} group by {{ key }} having count(*) > 1
    ) as redelivered
        on {{ relation }}.{{ key }} = redelivered.{{ key }}
{% endmacro %}
