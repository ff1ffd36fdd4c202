{{ config(
    materialized='changed_days',
    day_column='order_date',
    days_changed_in='silver_order_day_changes',
) }}

with

orders as (

    select * from {{ ref('int_orders_with_item_count') }}

),

sales_per_day as (

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

),

final as (

    select
        *,
        {{ loaded_until('silver_order_day_changes') }} as _loaded_until
    from sales_per_day

)

select * from final
