{{ config(unique_key='id', partition_by=['order_date']) }}

{#
    A line item counts once its order and its product are in Silver; until then it waits
    in quarantine (held back). So an incremental run considers the items loaded since the
    last merge and also the earlier items whose order or product arrived since then.
#}

with

order_items as (

    select * from {{ ref('stg_shop__order_items') }}
    where _reason is null

),

orders as (

    select order_id, _loaded_at from {{ ref('silver_orders') }}

),

products as (

    select product_id, _loaded_at from {{ ref('silver_products') }}

),

{% if is_incremental() %}
current_items as (

    select id, _loaded_at from {{ this }}

),

last_merge as (

    select coalesce(max(_loaded_at), timestamp'1970-01-01') as loaded_at
    from current_items

),
{% endif %}

eligible as (

    select order_items.*
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    inner join products
        on order_items.product_id = products.product_id
    {% if is_incremental() %}
    cross join last_merge
    where
        order_items._loaded_at > last_merge.loaded_at
        or orders._loaded_at > last_merge.loaded_at
        or products._loaded_at > last_merge.loaded_at
    {% endif %}

),

latest_delivery as (

    select
        *,
        row_number() over (
            partition by id
            order by _loaded_at desc, _source_file desc, _row_number desc
        ) as delivery_rank
    from eligible

),

final as (

    select
        latest_delivery.id,
        latest_delivery.order_id,
        latest_delivery.user_id,
        latest_delivery.product_id,
        latest_delivery.add_to_cart_order,
        latest_delivery.reordered,
        latest_delivery.days_since_prior_order,
        latest_delivery.order_ts,
        latest_delivery.order_date,
        latest_delivery._source_file,
        latest_delivery._file_hash,
        latest_delivery._row_number,
        latest_delivery._loaded_at
    from latest_delivery
    {% if is_incremental() %}
    {# an earlier delivery released late must not overwrite a later one already merged #}
    left join current_items
        on latest_delivery.id = current_items.id
    where
        latest_delivery.delivery_rank = 1
        and (
            current_items.id is null
            or latest_delivery._loaded_at >= current_items._loaded_at
        )
    {% else %}
    where latest_delivery.delivery_rank = 1
    {% endif %}

)

select * from final
