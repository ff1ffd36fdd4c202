{{ config(
    tags=['reconciliation'],
    group='data_platform',
    meta={'sort_merge_join': true, 'joins_as_written': true, 'filters_in_scan': true},
) }}
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

    In a run after one whose data tests passed (`tests_since()`), the rows checked are
    those whose place the run could change: every delivery of a key that a row loaded since
    then, a Silver row merged since then, or a quarantined row carries (quarantine is
    rebuilt every run), and every row whose key does not parse. A row of another key keeps
    the place an earlier run checked; `dbt test` checks them all. The rows loaded before
    the window are found in staging, which holds each of them once (append-only) with its
    key typed by the same macro: Bronze's keys are text, and parsing them all took 2.4 s
    of the test's 3.1 s in a day at 30.5M line items, where staging's typed keys take 0.9 s.

    Its meta asks for the engine's join settings (macros/sail/sail_test_joins.sql): reading
    whole tables at 30.5M line items, its hash join's build side outgrew the local engine's
    pool; checking a run's changes, its joins build on the touched keys, and the engine
    decodes only the touched keys' rows of Bronze and Silver.
#}

{% set since = tests_since() %}

{% set datasets = [
    ('products', 'product_id'),
    ('orders', 'order_id'),
    ('order_items', 'id'),
] %}

with

{% for dataset, key in datasets %}
{{ dataset }}_bronze as (

    select
        _file_hash,
        _row_number,
        _loaded_at,
        {{ parse_whole_number(key) }} as {{ key }}
    from {{ source('bronze', dataset) }}

),

{% if since %}
{{ dataset }}_touched_keys as (

    select {{ key }} from {{ dataset }}_bronze
    where _loaded_at >= {{ since }}

    union

    select {{ key }} from {{ ref('silver_' ~ dataset) }}
    where _in_silver_since >= {{ since }}

    union

    select {{ parse_whole_number(key) }} as {{ key }}
    from {{ ref('quarantine_' ~ dataset) }}

),

{{ dataset }}_checked as (

    select * from {{ dataset }}_bronze
    where _loaded_at >= {{ since }}

    union all

    select
        staging._file_hash,
        staging._row_number,
        staging._loaded_at,
        staging.{{ key }}
    from {{ dataset }}_touched_keys as touched
    inner join {{ ref('stg_shop__' ~ dataset) }} as staging
        on touched.{{ key }} = staging.{{ key }}
    where staging._loaded_at < {{ since }}

    union all

    select
        _file_hash,
        _row_number,
        _loaded_at,
        {{ key }}
    from {{ ref('stg_shop__' ~ dataset) }}
    where {{ key }} is null and _loaded_at < {{ since }}

),
{% endif %}

{{ dataset }}_not_current as (

    select
        bronze._file_hash,
        bronze._row_number,
        coalesce(bronze._loaded_at <= silver._loaded_at, false) as is_replaced
    from {{ dataset ~ ('_checked' if since else '_bronze') }} as bronze
    left join {{ ref('silver_' ~ dataset) }} as silver
        on bronze.{{ key }} = silver.{{ key }}
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
