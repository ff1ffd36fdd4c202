{{ config(tags=['reconciliation'], group='analytics') }}

{# Gold's revenue per day is exactly the sum of the valid orders' amounts that day. #}

with

orders as (

    select * from {{ ref('silver_orders') }}

),

daily_sales as (

    select * from {{ ref('daily_sales') }}

),

silver_per_day as (

    select
        order_date,
        sum(total_amount) as gross_revenue,
        count(*) as order_count
    from orders
    group by order_date

),

validation_errors as (

    select
        coalesce(silver_per_day.order_date, daily_sales.order_date) as order_date,
        silver_per_day.gross_revenue as silver_revenue,
        daily_sales.gross_revenue as gold_revenue
    from silver_per_day
    full outer join daily_sales
        on silver_per_day.order_date = daily_sales.order_date
    where
        silver_per_day.order_date is null
        or daily_sales.order_date is null
        or silver_per_day.gross_revenue != daily_sales.gross_revenue
        or silver_per_day.order_count != daily_sales.order_count

)

select * from validation_errors
