{{ config(severity='warn', tags=['source_quirk'], group='data_platform') }}

{#
    Source quirk: orders carry both `order_timestamp` and `date`. Silver derives
    order_date from the timestamp and drops `date`; this warns when the source's own
    `date` says otherwise. Staging has parsed the timestamp of every Bronze row once. Staging
    only gains rows, so a scheduled run (`tests_since()`) checks the rows loaded since.
#}

{% set since = tests_since() %}

with

orders as (

    select * from {{ ref('stg_shop__orders') }}

),

validation_errors as (

    select
        raw_order_id as order_id,
        raw_order_timestamp as order_timestamp,
        raw_date as `date`,
        _source_file,
        _row_number
    from orders
    where
        order_date != try_cast(trim(raw_date) as date)
    {% if since %}
        and _loaded_at >= {{ since }}
    {% endif %}

)

select * from validation_errors
