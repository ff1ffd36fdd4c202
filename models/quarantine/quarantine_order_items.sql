{# the quarantined line items, without the row that keeps `_loaded_until` when there are none #}

with

quarantined as (

    select * from {{ ref('int_order_items_quarantined') }}
    where _file_hash is not null

),

final as (

    select
        id,
        order_id,
        user_id,
        days_since_prior_order,
        product_id,
        add_to_cart_order,
        reordered,
        order_timestamp,
        `date`,
        _reason,
        _is_held_back,
        _source_file,
        _file_hash,
        _row_number,
        _loaded_at
    from quarantined

)

select * from final
