{#
    Sail plans a MERGE with its source several times over (the files to rewrite, the rows
    to write, the metrics) and reads every file of the target: merging one day of line
    items into 90 days took 11 s, most of it computing the source again and reading rows
    the merge could never match. For a model with a unique key, the source is therefore
    written once (Parquet, replaced at each merge); with a view as its source, Sail 0.7.2
    also inserted a null for a value the view took from a cross join. For a partitioned
    model the MERGE is then confined to the partitions where the target holds the incoming
    keys: the only rows it can match, wherever a key's partition value has moved. New keys
    are inserted whatever the partitions. dbt-glue has its own get_merge_sql; Spark on Glue
    keeps its plain MERGE.
#}
{% macro sail__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) %}
    {%- if not unique_key -%}
        {{ return(spark__get_merge_sql(
            target, source, unique_key, dest_columns, incremental_predicates
        )) }}
    {%- endif -%}
    {%- set written = write_merge_source(target, source) -%}
    {%- set predicates = incremental_predicates or [] -%}
    {%- set partition_by = config.get('partition_by') -%}
    {%- if partition_by -%}
        {%- set partition_by = [partition_by] if partition_by is string else partition_by -%}
        {%- set unique_key = [unique_key] if unique_key is string else unique_key -%}
        {%- set partitions = partitions_holding_keys(target, written, unique_key, partition_by) -%}
        {%- if partitions == 'false' -%}
            {# no incoming key is in the target yet: the merge is an append #}
            {{ return(get_insert_into_sql(written, target)) }}
        {%- endif -%}
        {%- set predicates = predicates + [partitions] -%}
    {%- endif -%}
    {{ return(spark__get_merge_sql(target, written, unique_key, dest_columns, predicates)) }}
{% endmacro %}

{% macro write_merge_source(target, source) %}
    {%- set written = api.Relation.create(
        schema=target.schema, identifier=target.identifier ~ '__merge_source', type='table'
    ) -%}
    {%- set settings = filters_in_scan_settings(config.get('meta') or {}) -%}
    {%- do put_engine_settings(settings, while_running=true) -%}
    {% call statement('write_merge_source') %}
        create or replace table {{ written }} using parquet
        location '{{ var("warehouse") }}/_merge_sources/{{ target.schema }}/{{ target.identifier }}'
        as select * from {{ source }}
    {% endcall %}
    {%- do put_engine_settings(settings, while_running=false) -%}
    {{ return(written) }}
{% endmacro %}

{#
    `DBT_INTERNAL_DEST.<partition column> = <value> and ...` for every partition in which
    `target` holds a key of `source`, or'ed; `false` when it holds none.
#}
{% macro partitions_holding_keys(target, source, unique_key, partition_by) %}
    {%- set query -%}
        select distinct
            {%- for column in partition_by %}
            cast(dest.{{ column }} as string) as {{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ target }} as dest
        left semi join {{ source }} as src
            on {% for key in unique_key -%}
                dest.{{ key }} = src.{{ key }}{{ ' and ' if not loop.last }}
            {%- endfor %}
    {%- endset -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set types = {} -%}
    {%- for column in adapter.get_columns_in_relation(target) -%}
        {%- do types.update({column.name: column.data_type}) -%}
    {%- endfor -%}
    {%- set partitions = [] -%}
    {%- for row in run_query(query).rows -%}
        {%- set equalities = [] -%}
        {%- for column in partition_by -%}
            {%- set value = row[loop.index0] -%}
            {%- do equalities.append(
                'DBT_INTERNAL_DEST.' ~ column ~ (
                    ' is null' if value is none
                    else " = cast('" ~ value | replace("'", "\\'") ~ "' as "
                        ~ types[column] ~ ")"
                )
            ) -%}
        {%- endfor -%}
        {%- do partitions.append('(' ~ equalities | join(' and ') ~ ')') -%}
    {%- endfor -%}
    {{ return('(' ~ partitions | join(' or ') ~ ')' if partitions else 'false') }}
{% endmacro %}
