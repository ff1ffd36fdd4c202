{#
    Summed from int_product_sales_by_day, which a run recomputes only for the days it
    changed: a day and product per row instead of every line item. Its order_count counts
    groups of items per order, not `count(distinct order_id)`, whose per-product sets of
    order ids do not spill and outgrew the local engine's memory pool at 30M line items;
    an order is on one day, so the days' counts add up.
#}

with

products as (

    select * from {{ ref('silver_products') }}

),

sales_by_day as (

    select * from {{ ref('int_product_sales_by_day') }}

),

sales_per_product as (

    select
        product_id,
        sum(units_sold) as units_sold,
        sum(order_count) as order_count,
        sum(reordered_units) / sum(units_sold) as reorder_rate
    from sales_by_day
    group by product_id

),

final as (

    select
        products.product_id,
        products.product_name,
        products.department,
        coalesce(sales_per_product.units_sold, 0) as units_sold,
        coalesce(sales_per_product.order_count, 0) as order_count,
        cast(sales_per_product.reorder_rate as decimal(5, 4)) as reorder_rate
    from products
    left join sales_per_product
        on products.product_id = sales_per_product.product_id

)

select * from final
