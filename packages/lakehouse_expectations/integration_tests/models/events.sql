{# days apart from now (an hour's clock skew changes no case), one in the future #}
select
    'old' as kind,
    current_timestamp() - interval 10 days as event_at,
    current_date() - 10 as event_date
union all
select 'recent', current_timestamp() - interval 2 days, current_date() - 2
union all
select 'future', current_timestamp() + interval 3 days, current_date() + 3
union all
select 'undated', cast(null as timestamp), cast(null as date)
