{#
    Recomputed for the days a run changed (changed_days), so a table, not ephemeral:
    customer_insights groups one row per order instead of counting every line item again
    on every run.
#}

{{ config(
    materialized='changed_days',
    day_column='order_date',
    days_changed_in='silver_order_day_changes',
) }}

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
        orders.order_id,
        orders.user_id,
        orders.order_ts,
        orders.order_date,
        orders.total_amount,
        coalesce(items_per_order.item_count, 0) as item_count,
        {{ loaded_until('silver_order_day_changes') }} as _loaded_until
    from orders
    left join items_per_order
        on orders.order_id = items_per_order.order_id

)

select * from final
