with

orders as (

    select * from {{ ref('int_orders_with_item_count') }}

),

final as (

    select
        order_date,
        count(*) as order_count,
        {# coalesce: keeps the column non-nullable in the table schema #}
        coalesce(sum(item_count), 0) as item_count,
        count(distinct user_id) as customer_count,
        sum(total_amount) as gross_revenue,
        cast(sum(total_amount) / count(*) as decimal(12, 2)) as avg_order_value
    from orders
    group by order_date

)

select * from final
