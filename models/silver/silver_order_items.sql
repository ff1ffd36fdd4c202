{{ config(
    unique_key='id',
    partition_by=['order_date'],
    meta={'zorder_by': ['product_id'], 'filters_in_scan': true},
) }}

{#
    A line item counts once its order and its product are in Silver; until then it waits
    in quarantine (held back). An incremental run reconsiders the items delivered since
    the last merge and the items whose order or product entered Silver since then, and
    ranks every eligible delivery of those items again, so the latest one wins exactly as
    in a full build (an older delivery released late never overwrites a newer one).
    Those items are few among all of staging's: `filters_in_scan` has the local engine
    decode the other columns of their rows only (macros/sail/sail_engine_settings.sql), and
    staging is read only within their range of ids (`within_range_of`).
#}

with

order_items as (

    select * from {{ ref('stg_shop__order_items') }}
    where _reason is null

),

orders as (

    select
        order_id,
        _in_silver_since
    from {{ ref('silver_orders') }}

),

products as (

    select
        product_id,
        _in_silver_since
    from {{ ref('silver_products') }}

),

{% if is_incremental() %}
{% set merged_at = newest_in_this('_in_silver_since') %}

orders_since as (

    select order_id from orders
    where _in_silver_since > {{ merged_at }}

),

changed_items as (

    select id from order_items
    where {{ loaded_since_last_run() }}

    union

    select id from order_items
    where
        order_id in (select orders_since.order_id from orders_since)
        and {{ within_range_of('order_id', 'orders_since') }}

    union

    select id from order_items
    where product_id in (
        select product_id from products
        where _in_silver_since > {{ merged_at }}
    )

),
{% endif %}

candidates as (

    select * from order_items
    {% if is_incremental() %}
    {# narrowed down first: the semi joins below then see a day's items, not all #}
        where
            order_items.id in (select changed_items.id from changed_items)
            and {{ within_range_of('order_items.id', 'changed_items') }}
    {% endif %}

),

eligible as (

    select candidates.*
    from candidates
    where
        candidates.order_id in (select orders.order_id from orders)
        and candidates.product_id in (select products.product_id from products)

),

latest_delivery as (

    select
        *,
        {{ delivery_rank('id') }} as delivery_rank
    from eligible

),

final as (

    select
        id,
        order_id,
        user_id,
        product_id,
        add_to_cart_order,
        reordered,
        days_since_prior_order,
        order_ts,
        order_date,
        _source_file,
        _file_hash,
        _row_number,
        _loaded_at,
        current_timestamp() as _in_silver_since
    from latest_delivery
    where delivery_rank = 1

)

select * from final
