{# pairs repeated, with one or both keys missing, for the compound-key cases #}
select
    1 as k1,
    'x' as k2
union all
select 1, 'x'
union all
select 1, 'y'
union all
select null, 'z'
union all
select null, 'z'
union all
select null, null
union all
select null, null
union all
select 2, null
union all
select 2, null
