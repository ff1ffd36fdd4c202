with

products as (

    select * from {{ ref('stg_shop__products') }}

),

final as (

    select
        raw_product_id as product_id,
        raw_department_id as department_id,
        raw_department as department,
        raw_product_name as product_name,
        _reason,
        false as _is_held_back,
        _source_file,
        _file_hash,
        _row_number,
        _loaded_at
    from products
    where _reason is not null

)

select * from final
