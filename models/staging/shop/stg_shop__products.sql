with

source as (

    select * from {{ source('bronze', 'products') }}
    {% if is_incremental() %}
    {# a Bronze row never changes: each is staged once (new rules need --full-refresh) #}
    where {{ loaded_since_last_run() }}
    {% endif %}

),

parsed as (

    {# each raw value parsed once: the rules and the output below read these columns #}
    select
        *,
        {{ parse_whole_number('product_id') }} as {{ typed('product_id') }},
        {{ parse_whole_number('department_id', 'int') }} as {{ typed('department_id') }}
    from source

),

validated as (

    select
        *,
        case
            {{ reason_if_not_whole_number('product_id') }}
            {{ reason_if_blank('product_name') }}
            {{ reason_if_blank('department') }}
        end as _reason
    from parsed

),

final as (

    select
        {{ typed('product_id') }} as product_id,
        trim(product_name) as product_name,
        trim(department) as department,
        {# not an identifier of the department in this source: see the model docs #}
        {{ typed('department_id') }} as source_department_id,
        product_id as raw_product_id,
        department_id as raw_department_id,
        department as raw_department,
        product_name as raw_product_name,
        _reason,
        _source_file,
        _file_hash,
        _row_number,
        _loaded_at
    from validated

)

select * from final
