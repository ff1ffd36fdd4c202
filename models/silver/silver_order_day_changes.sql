{{ config(unique_key='order_date') }}

{#
    The order days Silver changed, each with the newest load that changed it. The marts
    grained by order day recompute only the days changed since they last ran
    (macros/changed_days.sql). A day changes when an order on it is delivered, and so does
    every day an earlier valid delivery of that order was on (an order moved away); when a
    line item is delivered, for the orders of all its valid deliveries (a line item moved to
    another order); and when a product is delivered, for the orders its line items are in
    (a department renamed, held-back items released). Keys are found in CTEs joined, never
    `in (subquery)`, which the local engine cannot prune with; each join names the run's few
    keys first, so that it builds on them even where the engine keeps joins as written (a
    test beside it may have set that for the session, macros/sail/sail_test_joins.sql), and
    staging is read only within the delivered keys' range (`within_range_of`). Not Silver's
    orders within the changed orders' range: the range would compute `changed_orders`
    three times, with its join of the delivered products to all of Silver's line items.
#}

-- depends_on: {{ ref('silver_order_items') }}, read by an incremental run only

with

orders as (

    select * from {{ ref('silver_orders') }}

),

products as (

    select * from {{ ref('silver_products') }}

),

order_deliveries as (

    select * from {{ ref('stg_shop__orders') }}
    where _reason is null

),

order_item_deliveries as (

    select * from {{ ref('stg_shop__order_items') }}
    where _reason is null

),

newest_load as (

    select max(_loaded_at) as loaded_at
    from (
        select _loaded_at from order_deliveries
        union all
        select _loaded_at from order_item_deliveries
        union all
        select _loaded_at from products
    ) as loads

),

{% if is_incremental() %}
{% set loaded_since = loaded_since_last_run(watermark='_changed_by_load_at') %}

order_items as (

    select * from {{ ref('silver_order_items') }}

),

delivered_orders as (

    select distinct order_id
    from order_deliveries
    where {{ loaded_since }}

),

delivered_items as (

    select distinct id
    from order_item_deliveries
    where {{ loaded_since }}

),

delivered_products as (

    select product_id
    from products
    where {{ loaded_since }}

),

changed_orders as (

    select order_id from delivered_orders

    union

    select order_item_deliveries.order_id
    from delivered_items
    inner join order_item_deliveries
        on delivered_items.id = order_item_deliveries.id
    where {{ within_range_of('order_item_deliveries.id', 'delivered_items') }}

    union

    select order_items.order_id
    from delivered_products
    inner join order_items
        on delivered_products.product_id = order_items.product_id

),

changed_days as (

    select orders.order_date
    from changed_orders
    inner join orders
        on changed_orders.order_id = orders.order_id

    union all

    select order_deliveries.order_date
    from delivered_orders
    inner join order_deliveries
        on delivered_orders.order_id = order_deliveries.order_id
    where {{ within_range_of('order_deliveries.order_id', 'delivered_orders') }}

),

{% else %}

changed_days as (

    select order_date from orders

),

{% endif %}

final as (

    select distinct
        changed_days.order_date,
        newest_load.loaded_at as _changed_by_load_at
    from changed_days
    cross join newest_load

)

select * from final
