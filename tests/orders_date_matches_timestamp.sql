{{ config(severity='warn') }}

{#
    Source quirk: orders carry both `order_timestamp` and `date`. Silver derives
    order_date from the timestamp and drops `date`; this warns when the source's own
    `date` says otherwise.
#}

with

orders as (

    select * from {{ source('bronze', 'orders') }}

),

validation_errors as (

    select
        order_id,
        order_timestamp,
        `date`,
        _source_file,
        _row_number
    from orders
    where
        try_to_timestamp(trim(order_timestamp)) is not null
        and to_date(try_to_timestamp(trim(order_timestamp))) != try_cast(trim(`date`) as date)

)

select * from validation_errors
