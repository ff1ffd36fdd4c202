{#
    The grain of a table that holds delivered rows: no two rows share a file (`_file_hash`)
    and a row number in it. Each file's rows are sorted by row number, and a row that
    repeats the one before it does not count as distinct: a sort spills to disk, where
    counting distinct numbers per file needs a hash table of every row, which outgrew the
    local engine's 3 GiB pool at 30.5M Bronze line items. Lists each file at fault; a row
    without a row number counts as a repeat. An append-only table (Bronze, staging), in a
    scheduled run (`tests_since()`): the files with rows loaded since then, all their rows,
    so a file loaded again is caught with its first copy. Quarantine is rebuilt every run,
    so it is checked whole.
#}
{% test one_row_per_delivered_row(model, append_only=false) %}

{% set since = tests_since() if append_only else none %}

with

{% if since %}
{# joined, not `in (subquery)`: Sail planned that one 500 times slower at 30.5M rows #}
files_loaded_since as (

    select distinct _file_hash from {{ model }}
    where _loaded_at >= {{ since }}

),
{% endif %}

ordered as (

    select
        delivered._file_hash,
        delivered._row_number,
        lag(delivered._row_number) over (
            partition by delivered._file_hash order by delivered._row_number
        ) as previous_row_number
    {% if since %}
        from files_loaded_since
        inner join {{ model }} as delivered
            on files_loaded_since._file_hash = delivered._file_hash
    {% else %}
        from {{ model }} as delivered
    {% endif %}

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
