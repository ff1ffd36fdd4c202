{# the other table of the row-count comparisons: per grp x 3 and y 1, per other_grp
   y 2, z 1 and x 1, per kind a 3 and b 1 #}
select
    'x' as grp,
    'a' as kind,
    'y' as other_grp
union all
select 'x', 'a', 'y'
union all
select 'x', 'b', 'z'
union all
select 'y', 'a', 'x'
