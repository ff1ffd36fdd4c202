{#
    Rebuilt on every run from all of Bronze, so a held-back item leaves quarantine by
    itself once a valid delivery of its order arrives (and a quarantined item once its
    product does). An item whose order was delivered only with faults says so, with the
    reason of the order's latest faulty delivery.
#}

with

order_items as (

    select * from {{ ref('stg_shop__order_items') }}

),

orders as (

    select order_id from {{ ref('silver_orders') }}

),

staged_orders as (

    select * from {{ ref('stg_shop__orders') }}

),

products as (

    select product_id from {{ ref('silver_products') }}

),

order_faults as (

    select
        order_id,
        _reason,
        {{ delivery_rank('order_id') }} as delivery_rank
    from staged_orders
    where _reason is not null and order_id is not null

),

quarantined_orders as (

    select
        order_id,
        _reason
    from order_faults
    where delivery_rank = 1

),

classified as (

    select
        order_items.*,
        case
            when order_items._reason is not null then order_items._reason
            when products.product_id is null
                then 'product_id is not in the product catalogue'
            when orders.order_id is null and quarantined_orders.order_id is not null
                then concat(
                    'order is quarantined (', quarantined_orders._reason,
                    '): held back until a valid delivery of it arrives'
                )
            when orders.order_id is null
                then 'order not in silver yet: held back until it arrives'
        end as quarantine_reason,
        order_items._reason is null
        and products.product_id is not null
        and orders.order_id is null as is_held_back
    from order_items
    left join products
        on order_items.product_id = products.product_id
    left join orders
        on order_items.order_id = orders.order_id
    left join quarantined_orders
        on order_items.order_id = quarantined_orders.order_id

),

final as (

    select
        raw_id as id,
        raw_order_id as order_id,
        raw_user_id as user_id,
        raw_days_since_prior_order as days_since_prior_order,
        raw_product_id as product_id,
        raw_add_to_cart_order as add_to_cart_order,
        raw_reordered as reordered,
        raw_order_timestamp as order_timestamp,
        raw_date as `date`,
        quarantine_reason as _reason,
        is_held_back as _is_held_back,
        _source_file,
        _file_hash,
        _row_number,
        _loaded_at
    from classified
    where quarantine_reason is not null

)

select * from final
