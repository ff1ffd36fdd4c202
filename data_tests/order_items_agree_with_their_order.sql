{{ config(severity='warn', tags=['source_quirk'], group='data_platform') }}

{#
    Source quirk: line items repeat their order's user_id and order_timestamp. The marts
    take both from the order, so a disagreement changes no figure; it warns so that
    someone looks at the source.
#}

with

order_items as (

    select * from {{ ref('silver_order_items') }}

),

orders as (

    select * from {{ ref('silver_orders') }}

),

validation_errors as (

    select
        order_items.id,
        order_items.order_id,
        order_items.user_id as item_user_id,
        orders.user_id as order_user_id,
        order_items.order_ts as item_order_ts,
        orders.order_ts as order_order_ts
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    where
        order_items.user_id != orders.user_id
        or order_items.order_ts != orders.order_ts

)

select * from validation_errors
