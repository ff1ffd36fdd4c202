with

source as (

    select * from {{ source('bronze', 'orders') }}
    {% if is_incremental() %}
    {# a Bronze row never changes: each is staged once (new rules need --full-refresh) #}
    where {{ loaded_since_last_run() }}
    {% endif %}

),

parsed as (

    {# each raw value parsed once: the rules and the output below read these columns #}
    select
        *,
        {{ parse_whole_number('order_id') }} as {{ typed('order_id') }},
        {{ parse_whole_number('user_id') }} as {{ typed('user_id') }},
        {{ parse_whole_number('order_num', 'int') }} as {{ typed('order_num') }},
        {{ parse_timestamp_formats('order_timestamp') }},
        {{ parse_amount('total_amount') }} as {{ typed('total_amount') }}
    from source

),

validated as (

    select
        *,
        case
            {{ reason_if_not_whole_number('order_id') }}
            {{ reason_if_not_whole_number('user_id') }}
            {{ reason_if_not_whole_number('order_num', required=false, type='int') }}
            when {{ typed('order_num') }} < 1
                then 'order_num is not positive'
            {{ reason_if_not_timestamp('order_timestamp') }}
            {{ reason_if_outside_business_time('order_timestamp') }}
            {{ reason_if_not_amount('total_amount') }}
        end as _reason
    from parsed

),

final as (

    select
        {{ typed('order_id') }} as order_id,
        {{ typed('order_num') }} as order_num,
        {{ typed('user_id') }} as user_id,
        {{ typed_timestamp('order_timestamp') }} as order_ts,
        to_date({{ typed_timestamp('order_timestamp') }}) as order_date,
        {{ typed('total_amount') }} as total_amount,
        order_num as raw_order_num,
        order_id as raw_order_id,
        user_id as raw_user_id,
        order_timestamp as raw_order_timestamp,
        total_amount as raw_total_amount,
        `date` as raw_date,
        _reason,
        _source_file,
        _file_hash,
        _row_number,
        _loaded_at
    from validated

)

select * from final
