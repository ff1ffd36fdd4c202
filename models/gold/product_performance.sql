with

products as (

    select * from {{ ref('silver_products') }}

),

order_items as (

    select * from {{ ref('silver_order_items') }}

),

sales_per_product as (

    select
        product_id,
        count(*) as units_sold,
        count(distinct order_id) as order_count,
        avg(reordered) as reorder_rate
    from order_items
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
