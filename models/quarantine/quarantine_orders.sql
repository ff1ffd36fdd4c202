with

orders as (

    select * from {{ ref('stg_shop__orders') }}

),

final as (

    select
        raw_order_num as order_num,
        raw_order_id as order_id,
        raw_user_id as user_id,
        raw_order_timestamp as order_timestamp,
        raw_total_amount as total_amount,
        raw_date as `date`,
        _reason,
        false as _is_held_back,
        _source_file,
        _file_hash,
        _row_number,
        _loaded_at
    from orders
    where _reason is not null

)

select * from final
