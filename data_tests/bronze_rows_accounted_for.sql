{#
    Every Bronze row is in exactly one place: current in Silver (its `_file_hash` and
    `_row_number`), superseded, or quarantined (held back included). Superseded: a row
    Silver could take (no `_reason`; a line item's order and product in Silver) whose key's
    Silver row comes from a delivery at least as recent; a row with a `_reason` stays in
    quarantine when a later delivery of its key replaces it. Each place is counted from its
    own table, and a row in none (0) or in more than one (2 or more) is listed.

    Each Bronze row meets its key's Silver row through one join on the integer key, so
    Bronze is read once whatever its size; staging and quarantine are read only for the
    rows that are not current. A current row that is also quarantined is found from the
    quarantine side.
#}

{% set datasets = [
    ('products', 'product_id'),
    ('orders', 'order_id'),
    ('order_items', 'id'),
] %}

with

{% for dataset, key in datasets %}
{{ dataset }}_not_current as (

    select
        bronze._file_hash,
        bronze._row_number,
        coalesce(bronze._loaded_at <= silver._loaded_at, false) as is_replaced
    from {{ source('bronze', dataset) }} as bronze
    left join {{ ref('silver_' ~ dataset) }} as silver
        on {{ parse_whole_number('bronze.' ~ key) }} = silver.{{ key }}
    where not coalesce(
        bronze._file_hash = silver._file_hash and bronze._row_number = silver._row_number,
        false
    )

),

{{ dataset }}_quarantined as (

    select
        _file_hash,
        _row_number,
        count(*) as places
    from {{ ref('quarantine_' ~ dataset) }}
    group by _file_hash, _row_number

),

{{ dataset }}_places as (

    select
        '{{ dataset }}' as dataset,
        bronze._file_hash,
        bronze._row_number,
        case
            when
                bronze.is_replaced
                and staging._reason is null
                {% if dataset == 'order_items' %}
                and orders.order_id is not null
                and products.product_id is not null
                {% endif %}
                then 1
            else 0
        end + coalesce(quarantined.places, 0) as places
    from {{ dataset }}_not_current as bronze
    left join {{ ref('stg_shop__' ~ dataset) }} as staging
        on bronze._file_hash = staging._file_hash
        and bronze._row_number = staging._row_number
    {% if dataset == 'order_items' %}
    left join {{ ref('silver_orders') }} as orders
        on staging.order_id = orders.order_id
    left join {{ ref('silver_products') }} as products
        on staging.product_id = products.product_id
    {% endif %}
    left join {{ dataset }}_quarantined as quarantined
        on bronze._file_hash = quarantined._file_hash
        and bronze._row_number = quarantined._row_number

    union all

    select
        '{{ dataset }}' as dataset,
        quarantined._file_hash,
        quarantined._row_number,
        1 + quarantined.places as places
    from {{ dataset }}_quarantined as quarantined
    inner join {{ ref('silver_' ~ dataset) }} as silver
        on quarantined._file_hash = silver._file_hash
        and quarantined._row_number = silver._row_number

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
