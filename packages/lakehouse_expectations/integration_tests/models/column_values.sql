{# one row per id; the cases on column tests count failing ids in this table #}
select
    1 as id,
    cast(10.0 as decimal(6, 2)) as amount,
    'placed' as status,
    'AB-12' as code,
    'ok' as note,
    5 as a,
    3 as b,
    'x' as grp
union all
select 2, 0.0, 'shipped', 'cd-34', null, 4, 4, 'x'
union all
select 3, 100.0, 'lost', 'AB-1', 'ok', 1, 6, 'x'
union all
select 4, null, null, null, null, null, 2, 'y'
union all
select 5, -5.0, 'placed', '', null, 7, null, 'y'
union all
select 6, 50.0, 'shipped', 'EF-56', 'ok', 6, 5, 'z'
