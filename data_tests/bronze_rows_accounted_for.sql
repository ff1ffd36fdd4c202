{#
    Every Bronze row ends in exactly one place: current in Silver, superseded by a
    delivery of its key at least as recent that is current in Silver, or quarantined (or
    held back). Each Bronze row meets its key's Silver row through one join on the integer
    key; only the rows that are neither current nor superseded are looked up in quarantine,
    so the test reads Bronze once whatever its size. A quarantined row that is also
    current in Silver is counted twice.
#}

{% set datasets = [
    ('products', 'product_id'),
    ('orders', 'order_id'),
    ('order_items', 'id'),
] %}

with

{% for dataset, key in datasets %}
{{ dataset }}_in_silver as (

    select
        bronze._file_hash,
        bronze._row_number,
        coalesce(bronze._loaded_at <= silver._loaded_at, false) as is_current_or_superseded
    from {{ source('bronze', dataset) }} as bronze
    left join {{ ref('silver_' ~ dataset) }} as silver
        on {{ parse_whole_number('bronze.' ~ key) }} = silver.{{ key }}

),

{{ dataset }}_nowhere as (

    select
        '{{ dataset }}' as dataset,
        _file_hash,
        _row_number,
        0 as places
    from {{ dataset }}_in_silver as bronze
    where
        not is_current_or_superseded
        and not exists (
            select 1 from {{ ref('quarantine_' ~ dataset) }} as quarantine
            where
                quarantine._file_hash = bronze._file_hash
                and quarantine._row_number = bronze._row_number
        )

),

{{ dataset }}_twice as (

    select
        '{{ dataset }}' as dataset,
        quarantine._file_hash,
        quarantine._row_number,
        2 as places
    from {{ ref('quarantine_' ~ dataset) }} as quarantine
    inner join {{ ref('silver_' ~ dataset) }} as silver
        on {{ parse_whole_number('quarantine.' ~ key) }} = silver.{{ key }}
    where
        quarantine._file_hash = silver._file_hash
        and quarantine._row_number = silver._row_number

),
{% endfor %}

validation_errors as (

    {% for dataset, key in datasets %}
    select * from {{ dataset }}_nowhere
    union all
    select * from {{ dataset }}_twice
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from validation_errors
