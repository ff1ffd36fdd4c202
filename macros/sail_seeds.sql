{#
    dbt-spark re-seeds by dropping the table and creating it again. On Sail a DROP only
    forgets the table in the session's catalog: its Delta files stay, so the new table at
    the same location would bring the old rows back and the seed would double. Empty the
    existing table instead; a seed whose columns change needs its folder removed.
#}
{% macro sail__reset_csv_table(model, full_refresh, old_relation, agate_table) %}
    {% if old_relation %}
        {% set sql = 'delete from ' ~ old_relation %}
        {% call statement('empty_seed') %}{{ sql }}{% endcall %}
        {{ return(sql) }}
    {% endif %}
    {{ return(create_csv_table(model, agate_table)) }}
{% endmacro %}
