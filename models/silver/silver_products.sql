{{ config(unique_key='product_id') }}

with

products as (

    select * from {{ ref('stg_shop__products') }}
    where _reason is null
    {% if is_incremental() %}
    {# Bronze is append-only: only deliveries loaded since the last merge can change a row #}
        and {{ loaded_since_last_run() }}
    {% endif %}

),

latest_delivery as (

    select
        *,
        {{ delivery_rank('product_id') }} as delivery_rank
    from products

),

final as (

    select
        product_id,
        product_name,
        department,
        source_department_id,
        _source_file,
        _file_hash,
        _row_number,
        _loaded_at,
        current_timestamp() as _in_silver_since
    from latest_delivery
    where delivery_rank = 1

)

select * from final
