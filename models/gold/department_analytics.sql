{# grouped by department name: department_id does not identify a department here #}

with

order_items as (

    select * from {{ ref('silver_order_items') }}

),

orders as (

    select * from {{ ref('silver_orders') }}

),

products as (

    select * from {{ ref('silver_products') }}

),

final as (

    select
        orders.order_date,
        products.department,
        count(*) as units_sold,
        count(distinct order_items.order_id) as order_count,
        count(distinct orders.user_id) as customer_count,
        cast(avg(order_items.reordered) as decimal(5, 4)) as reorder_rate
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    inner join products
        on order_items.product_id = products.product_id
    group by orders.order_date, products.department

)

select * from final
