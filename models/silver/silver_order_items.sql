{{ config(
    unique_key='id',
    partition_by=['order_date'],
    meta={'zorder_by': ['product_id']},
) }}

{#
    A line item counts once its order and its product are in Silver; until then it waits
    in quarantine (held back). So an incremental run considers the items loaded since the
    last merge and also the earlier items whose order or product arrived since then.
#}

with

order_items as (

    select * from {{ ref('stg_shop__order_items') }}
    where _reason is null

),

orders as (

    select
        order_id,
        _loaded_at
    from {{ ref('silver_orders') }}

),

products as (

    select
        product_id,
        _loaded_at
    from {{ ref('silver_products') }}

),

eligible as (

    select
        order_items.*,
        greatest(
            order_items._loaded_at, orders._loaded_at, products._loaded_at
        ) as _eligible_since
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    inner join products
        on order_items.product_id = products.product_id

),

{% if is_incremental() %}
changed_items as (

    {# items that became eligible since the last merge: a new delivery, or its order
       or product arrived. The latest eligible delivery of each wins, as in a full
       build, so an older delivery released late never overwrites a newer one. #}
    select distinct id
    from eligible
    where _eligible_since > (
        select coalesce(max(_loaded_at), timestamp'1970-01-01') from {{ this }}
    )

),
{% endif %}

latest_delivery as (

    select
        *,
        row_number() over (
            partition by id
            order by _loaded_at desc, _source_file desc, _row_number desc
        ) as delivery_rank
    from eligible
    {% if is_incremental() %}
    where id in (select id from changed_items)
    {% endif %}

),

final as (

    select
        id,
        order_id,
        user_id,
        product_id,
        add_to_cart_order,
        reordered,
        days_since_prior_order,
        order_ts,
        order_date,
        _source_file,
        _file_hash,
        _row_number,
        _loaded_at
    from latest_delivery
    where delivery_rank = 1

)

select * from final
