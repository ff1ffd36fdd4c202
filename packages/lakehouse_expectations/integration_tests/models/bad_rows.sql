{# each row breaks at least one expectation; all rows are years old #}
select
    1 as id,
    cast(-1.0 as decimal(6, 2)) as amount,
    'placed' as status,
    'AB-12' as code,
    'ok' as note,
    5 as a,
    3 as b,
    'x' as category,
    timestamp '2020-01-01 00:00:00' as loaded_at
union all
select 1, 20.0, 'lost', 'bad', 'ok', 1, 5, 'x', timestamp '2020-01-01 00:00:00'
union all
select 3, 30.0, 'placed', 'EF-56', null, 9, 1, 'y', timestamp '2020-01-01 00:00:00'
union all
select 4, 40.0, 'shipped', 'GH-78', null, 9, 1, 'z', timestamp '2020-01-01 00:00:00'
