with

source as (

    select * from {{ source('bronze', 'order_items') }}
    {% if is_incremental() %}
    {# a Bronze row never changes: each is staged once (new rules need --full-refresh) #}
    where {{ loaded_since_last_run() }}
    {% endif %}

),

parsed as (

    {# each raw value parsed once: the rules and the output below read these columns #}
    select
        *,
        {{ parse_whole_number('id') }} as {{ typed('id') }},
        {{ parse_whole_number('order_id') }} as {{ typed('order_id') }},
        {{ parse_whole_number('user_id') }} as {{ typed('user_id') }},
        {{ parse_whole_number('product_id') }} as {{ typed('product_id') }},
        {{ parse_timestamp_formats('order_timestamp') }},
        {{ parse_whole_number('add_to_cart_order', 'int') }} as {{ typed('add_to_cart_order') }},
        {{ parse_whole_number('reordered', 'int') }} as {{ typed('reordered') }},
        {{ parse_whole_number('days_since_prior_order', 'int') }}
            as {{ typed('days_since_prior_order') }}
    from source

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
            {{ reason_if_outside_business_time('order_timestamp') }}
            {{ reason_if_not_whole_number('add_to_cart_order', type='int') }}
            when {{ typed('add_to_cart_order') }} < 1
                then 'add_to_cart_order is less than 1'
            when trim(reordered) not in ('0', '1') or {{ blank('reordered') }}
                then 'reordered is not 0 or 1'
            {# blank for a customer's first order #}
            {{ reason_if_not_whole_number('days_since_prior_order', required=false, type='int') }}
        end as _reason
    from parsed

),

final as (

    select
        {{ typed('id') }} as id,
        {{ typed('order_id') }} as order_id,
        {{ typed('user_id') }} as user_id,
        {{ typed('product_id') }} as product_id,
        {{ typed('add_to_cart_order') }} as add_to_cart_order,
        {{ typed('reordered') }} as reordered,
        {{ typed('days_since_prior_order') }} as days_since_prior_order,
        {{ typed_timestamp('order_timestamp') }} as order_ts,
        to_date({{ typed_timestamp('order_timestamp') }}) as order_date,
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
