{#
    Grouped by department name: department_id does not identify a department here.
    Items are counted per order, then per customer, then per day and department, so
    order_count and customer_count count groups rather than distinct ids: the engine
    keeps a distinct count's sets in memory without spilling, and at 30M line items they
    outgrew the local engine's memory pool. Departments are numbered for the grouping:
    integer keys group faster than names.
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

products as (

    select * from {{ ref('silver_products') }}

),

department_names as (

    select distinct department from products

),

departments as (

    select
        department,
        row_number() over (order by department) as department_number
    from department_names

),

product_departments as (

    select
        products.product_id,
        departments.department_number
    from products
    inner join departments
        on products.department = departments.department

),

items_per_order as (

    select
        orders.order_date,
        product_departments.department_number,
        orders.user_id,
        order_items.order_id,
        count(*) as units_sold,
        sum(order_items.reordered) as reordered_units
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    inner join product_departments
        on order_items.product_id = product_departments.product_id
    group by
        orders.order_date,
        product_departments.department_number,
        orders.user_id,
        order_items.order_id

),

items_per_customer as (

    select
        order_date,
        department_number,
        user_id,
        sum(units_sold) as units_sold,
        count(*) as order_count,
        sum(reordered_units) as reordered_units
    from items_per_order
    group by order_date, department_number, user_id

),

sales_per_day_and_department as (

    select
        items_per_customer.order_date,
        departments.department,
        sum(items_per_customer.units_sold) as units_sold,
        sum(items_per_customer.order_count) as order_count,
        count(*) as customer_count,
        cast(
            sum(items_per_customer.reordered_units) / sum(items_per_customer.units_sold)
            as decimal(5, 4)
        ) as reorder_rate
    from items_per_customer
    inner join departments
        on items_per_customer.department_number = departments.department_number
    group by items_per_customer.order_date, departments.department

),

final as (

    select
        *,
        {{ loaded_until('silver_order_day_changes') }} as _loaded_until
    from sales_per_day_and_department

)

select * from final
