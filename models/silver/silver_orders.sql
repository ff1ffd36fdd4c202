{{ config(
    unique_key='order_id',
    partition_by=['order_date'],
    meta={'zorder_by': ['user_id']},
) }}

with

orders as (

    select * from {{ ref('stg_shop__orders') }}
    where _reason is null
    {% if is_incremental() %}
    {# Bronze is append-only: only deliveries loaded since the last merge can change a row #}
        and {{ loaded_since_last_run() }}
    {% endif %}

),

latest_delivery as (

    select
        *,
        {{ delivery_rank('order_id') }} as delivery_rank
    from orders

),

final as (

    select
        order_id,
        order_num,
        user_id,
        order_ts,
        order_date,
        total_amount,
        _source_file,
        _file_hash,
        _row_number,
        _loaded_at,
        current_timestamp() as _in_silver_since
    from latest_delivery
    where delivery_rank = 1

)

select * from final
