{#
    The grain of a table that holds delivered rows: no two rows share a file (`_file_hash`)
    and a row number in it. Each file's rows are sorted by row number, and a row that
    repeats the one before it does not count as distinct: a sort spills to disk, where
    counting distinct numbers per file needs a hash table of every row, which outgrew the
    local engine's 3 GiB pool at 30.5M Bronze line items. Lists each file at fault; a row
    without a row number counts as a repeat.
#}
{% test one_row_per_delivered_row(model) %}

with

ordered as (

    select
        _file_hash,
        _row_number,
        lag(_row_number) over (partition by _file_hash order by _row_number) as previous_row_number
    from {{ model }}

),

per_file as (

    select
        _file_hash,
        count(*) as row_count,
        sum(
            case
                when _row_number is not null
                    and (previous_row_number is null or _row_number != previous_row_number)
                    then 1
                else 0
            end
        ) as distinct_row_numbers
    from ordered
    group by _file_hash

),

validation_errors as (

    select * from per_file
    where row_count != distinct_row_numbers

)

select * from validation_errors

{% endtest %}
