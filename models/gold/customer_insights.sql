{{ config(meta={'zorder_by': ['user_id']}) }}

with

orders as (

    select * from {{ ref('silver_orders') }}

),

order_items as (

    select * from {{ ref('silver_order_items') }}

),

items_per_order as (

    select
        order_id,
        count(*) as item_count
    from order_items
    group by order_id

),

final as (

    select
        orders.user_id,
        count(*) as order_count,
        coalesce(sum(items_per_order.item_count), 0) as item_count,
        sum(orders.total_amount) as lifetime_revenue,
        min(orders.order_ts) as first_order_at,
        max(orders.order_ts) as last_order_at,
        cast(
            coalesce(sum(items_per_order.item_count), 0) / count(*) as decimal(8, 2)
        ) as avg_items_per_order
    from orders
    left join items_per_order
        on orders.order_id = items_per_order.order_id
    group by orders.user_id

)

select * from final
