{#
    Items are counted per order first, then per product: order_count counts those groups
    rather than `count(distinct order_id)`, whose per-product sets of order ids do not
    spill and outgrew the local engine's memory pool at 30M line items.
#}

with

products as (

    select * from {{ ref('silver_products') }}

),

order_items as (

    select * from {{ ref('silver_order_items') }}

),

items_per_product_order as (

    select
        product_id,
        order_id,
        count(*) as units_sold,
        sum(reordered) as reordered_units
    from order_items
    group by product_id, order_id

),

sales_per_product as (

    select
        product_id,
        sum(units_sold) as units_sold,
        count(*) as order_count,
        sum(reordered_units) / sum(units_sold) as reorder_rate
    from items_per_product_order
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
