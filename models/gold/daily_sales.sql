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
        orders.order_date,
        count(*) as order_count,
        coalesce(sum(items_per_order.item_count), 0) as item_count,
        count(distinct orders.user_id) as customer_count,
        sum(orders.total_amount) as gross_revenue,
        cast(sum(orders.total_amount) / count(*) as decimal(12, 2)) as avg_order_value
    from orders
    left join items_per_order
        on orders.order_id = items_per_order.order_id
    group by orders.order_date

)

select * from final
