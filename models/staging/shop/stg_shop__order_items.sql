with

source as (

    select * from {{ source('bronze', 'order_items') }}
    {% if is_incremental() %}
    {# a Bronze row never changes: each is staged once (new rules need --full-refresh) #}
    where {{ loaded_since_last_run() }}
    {% endif %}

),

validated as (

    select
        *,
        case
            {{ reason_if_not_whole_number('id') }}
            {{ reason_if_not_whole_number('order_id') }}
            {{ reason_if_not_whole_number('user_id') }}
            {{ reason_if_not_whole_number('product_id') }}
            {{ reason_if_not_timestamp('order_timestamp') }}
            {{ reason_if_not_whole_number('add_to_cart_order') }}
            when try_cast(trim(add_to_cart_order) as int) < 1
                then 'add_to_cart_order is less than 1'
            when trim(reordered) not in ('0', '1') or {{ blank('reordered') }}
                then 'reordered is not 0 or 1'
            {# blank for a customer's first order #}
            {{ reason_if_not_whole_number('days_since_prior_order', required=false) }}
        end as _reason
    from source

),

final as (

    select
        try_cast(trim(id) as bigint) as id,
        try_cast(trim(order_id) as bigint) as order_id,
        try_cast(trim(user_id) as bigint) as user_id,
        try_cast(trim(product_id) as bigint) as product_id,
        try_cast(trim(add_to_cart_order) as int) as add_to_cart_order,
        try_cast(trim(reordered) as int) as reordered,
        try_cast(trim(days_since_prior_order) as int) as days_since_prior_order,
        try_to_timestamp(trim(order_timestamp)) as order_ts,
        to_date(try_to_timestamp(trim(order_timestamp))) as order_date,
        id as raw_id,
        order_id as raw_order_id,
        user_id as raw_user_id,
        days_since_prior_order as raw_days_since_prior_order,
        product_id as raw_product_id,
        add_to_cart_order as raw_add_to_cart_order,
        reordered as raw_reordered,
        order_timestamp as raw_order_timestamp,
        `date` as raw_date,
        _reason,
        _source_file,
        _file_hash,
        _row_number,
        _loaded_at
    from validated

)

select * from final
