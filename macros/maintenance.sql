{#
    Delta maintenance on Spark with Delta Lake (AWS Glue): `dbt run-operation
    maintain_tables` after a load. The local engine, Sail, does not parse OPTIMIZE or
    VACUUM, so `lakehouse` carries out the same plan with delta-rs there
    (lakehouse/warehouse/maintenance.py): every model that is a table and every source,
    Z-ordered by a model's `meta.zorder_by`, files kept `maintenance_retain_hours` for time
    travel.
    https://docs.delta.io/latest/optimizations-oss.html
#}

{% macro maintain_tables(dry_run=false) %}
    {% for node in graph.nodes.values()
        if node.resource_type == 'model' and is_a_table(node) %}
        {% do maintain_table(
            api.Relation.create(schema=node.schema, identifier=node.alias),
            node.config.meta.get('zorder_by', []),
            dry_run,
        ) %}
    {% endfor %}
    {% for source in graph.sources.values() %}
        {% do maintain_table(
            api.Relation.create(schema=source.schema, identifier=source.identifier),
            [],
            dry_run,
        ) %}
    {% endfor %}
{% endmacro %}

{% macro maintain_table(relation, zorder_by, dry_run) %}
    {% for sql in maintenance_statements(relation, zorder_by, var('maintenance_retain_hours')) %}
        {% do log(sql, info=true) %}
        {% if not dry_run %}
            {% do run_query(sql) %}
        {% endif %}
    {% endfor %}
{% endmacro %}

{% macro maintenance_statements(relation, zorder_by, retain_hours) %}
    {{ return(adapter.dispatch('maintenance_statements', 'lakehouse')(
        relation, zorder_by, retain_hours
    )) }}
{% endmacro %}

{% macro default__maintenance_statements(relation, zorder_by, retain_hours) %}
    {% set optimize = 'optimize ' ~ relation %}
    {% if zorder_by %}
        {% set optimize = optimize ~ ' zorder by (' ~ zorder_by | join(', ') ~ ')' %}
    {% endif %}
    {{ return([optimize, 'vacuum ' ~ relation ~ ' retain ' ~ retain_hours ~ ' hours']) }}
{% endmacro %}

{% macro sail__maintenance_statements(relation, zorder_by, retain_hours) %}
    {{ exceptions.raise_compiler_error(
        "Sail does not parse OPTIMIZE or VACUUM: run `lakehouse maintain`, which "
        ~ "maintains the local tables with delta-rs"
    ) }}
{% endmacro %}

{#
    Whether dbt leaves a Delta table for the node: every materialization but ephemeral
    (a CTE) and view. Read by maintenance and by the local registry; the Python side of
    maintenance (lakehouse/warehouse/maintenance.py, NOT_TABLES) names the same two.
#}
{% macro is_a_table(node) %}
    {{ return(node.config.materialized not in ('ephemeral', 'view')) }}
{% endmacro %}
