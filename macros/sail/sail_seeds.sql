{#
    Creating a table on Sail where Delta files already are re-attaches their rows, and a
    DROP only forgets a table in the session's catalog. dbt-spark re-seeds by DROP and
    CREATE, and a killed run can leave a seed built but unregistered: either way the seed
    would double. So a seed table is always emptied before its rows are loaded. A seed
    whose columns change needs its folder removed.
#}
{% macro sail__reset_csv_table(model, full_refresh, old_relation, agate_table) %}
    {{ return(empty_seed(old_relation)) }}
{% endmacro %}

{% macro sail__create_csv_table(model, agate_table) %}
    {% set sql = spark__create_csv_table(model, agate_table) %}
    {% do empty_seed(this) %}
    {{ return(sql) }}
{% endmacro %}

{% macro empty_seed(relation) %}
    {% call statement('empty_seed') %}delete from {{ relation }}{% endcall %}
    {{ return('delete from ' ~ relation) }}
{% endmacro %}
