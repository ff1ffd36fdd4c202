{#
    Which delivery of a key is current: the latest loaded, and within one file the later
    row (a file may repeat a key). Silver keeps rank 1 of each key; the row accounting
    test counts the others as superseded.
#}
{% macro delivery_rank(unique_key) -%}
    row_number() over (
        partition by {{ unique_key }}
        order by _loaded_at desc, _row_number desc
    )
{%- endmacro %}
