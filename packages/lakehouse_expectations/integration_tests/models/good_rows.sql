select
    1 as id,
    cast(10.5 as decimal(6, 2)) as amount,
    'placed' as status,
    'AB-12' as code,
    'ok' as note,
    5 as a,
    3 as b,
    'x' as category,
    current_timestamp() as loaded_at
union all
select 2, 20.0, 'shipped', 'CD-34', null, 7, 6, 'y', current_timestamp() - interval 1 hour
union all
select 3, 99.9, 'placed', 'EF-56', 'ok', 9, 1, 'x', current_timestamp()
