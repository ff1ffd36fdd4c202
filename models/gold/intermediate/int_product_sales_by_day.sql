{#
    Sales per order day and product, so that product_performance sums a row per day and
    product instead of grouping every line item again on every run. Recomputed for the
    days a run changed (changed_days), so a table, not ephemeral. The day is the order's,
    as silver_order_day_changes marks it; items are counted per order first, so order_count
    counts groups rather than distinct ids (see product_performance).
#}

{{ config(
    materialized='changed_days',
    day_column='order_date',
    days_changed_in='silver_order_day_changes',
) }}

with

order_items as (

    select * from {{ ref('silver_order_items') }}

),

orders as (

    select * from {{ ref('silver_orders') }}

),

items_per_order as (

    select
        orders.order_date,
        order_items.product_id,
        order_items.order_id,
        count(*) as units_sold,
        sum(order_items.reordered) as reordered_units
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    group by orders.order_date, order_items.product_id, order_items.order_id

),

sales_per_day_and_product as (

    select
        order_date,
        product_id,
        sum(units_sold) as units_sold,
        count(*) as order_count,
        sum(reordered_units) as reordered_units
    from items_per_order
    group by order_date, product_id

),

final as (

    select
        *,
        {{ loaded_until('silver_order_day_changes') }} as _loaded_until
    from sales_per_day_and_product

)

select * from final
