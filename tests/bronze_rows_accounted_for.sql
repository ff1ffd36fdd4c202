{#
    Every Bronze row ends in exactly one place: current in Silver, quarantined (or held
    back), or superseded by a later delivery of its key that is current in Silver.
#}

{% set datasets = [
    ('products', 'product_id'),
    ('orders', 'order_id'),
    ('order_items', 'id'),
] %}

with

{% for dataset, key in datasets %}
{{ dataset }}_places as (

    select
        '{{ dataset }}' as dataset,
        bronze._file_hash,
        bronze._row_number,
        case when silver._row_number is not null then 1 else 0 end
        + case when quarantine._row_number is not null then 1 else 0 end
        + case when superseded.{{ key }} is not null then 1 else 0 end as places
    from {{ source('bronze', dataset) }} as bronze
    left join {{ ref('silver_' ~ dataset) }} as silver
        on bronze._file_hash = silver._file_hash
        and bronze._row_number = silver._row_number
    left join {{ ref('quarantine_' ~ dataset) }} as quarantine
        on bronze._file_hash = quarantine._file_hash
        and bronze._row_number = quarantine._row_number
    left join {{ ref('silver_' ~ dataset) }} as superseded
        on try_cast(trim(bronze.{{ key }}) as bigint) = superseded.{{ key }}
        and bronze._loaded_at <= superseded._loaded_at
        and not (
            bronze._file_hash = superseded._file_hash
            and bronze._row_number = superseded._row_number
        )
        and quarantine._row_number is null

),
{% endfor %}

validation_errors as (

    {% for dataset, key in datasets %}
    select * from {{ dataset }}_places
    where places != 1
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from validation_errors
