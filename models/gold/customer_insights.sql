{#
    Not Z-ordered: the table is rebuilt on every run, so maintenance would sort all of it
    every day (1.5 s at 9.8M line items, 3.7 s at 30.5M), and a lookup of one customer took
    0.009 s on the two unsorted files as on one Z-ordered file (docs/benchmarks.md).
#}

with

orders as (

    select * from {{ ref('int_orders_with_item_count') }}

),

final as (

    select
        user_id,
        count(*) as order_count,
        {# coalesce: keeps the column non-nullable in the table schema #}
        coalesce(sum(item_count), 0) as item_count,
        sum(total_amount) as lifetime_revenue,
        min(order_ts) as first_order_at,
        max(order_ts) as last_order_at,
        cast(sum(item_count) / count(*) as decimal(8, 2)) as avg_items_per_order
    from orders
    group by user_id

)

select * from final
