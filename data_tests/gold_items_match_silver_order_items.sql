{{ config(tags=['reconciliation'], group='analytics') }}

{# Every valid line item is counted once in each Gold mart that counts items. #}

with

order_items as (

    select count(*) as item_count from {{ ref('silver_order_items') }}

),

gold_totals as (

    select
        'daily_sales' as mart,
        sum(item_count) as item_count
    from {{ ref('daily_sales') }}
    union all
    select
        'product_performance' as mart,
        sum(units_sold) as item_count
    from {{ ref('product_performance') }}
    union all
    select
        'department_analytics' as mart,
        sum(units_sold) as item_count
    from {{ ref('department_analytics') }}
    union all
    select
        'customer_insights' as mart,
        sum(item_count) as item_count
    from {{ ref('customer_insights') }}

),

validation_errors as (

    select
        gold_totals.mart,
        gold_totals.item_count,
        order_items.item_count as silver_count
    from gold_totals
    cross join order_items
    where gold_totals.item_count != order_items.item_count

)

select * from validation_errors
