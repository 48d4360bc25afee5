-- Points made of several rows of an extract: a long file's numerator and denominator rows,
-- matched by organisation and period, and organisations added into one (`combine`).
-- Inputs: `judged` and `repeats` (the rows judged one by one; repeats.sql);
-- `assembly_metrics` (metric_no, ratio: numerators and denominators are added, then divided;
-- else values are added); `assembly_sides` (metric_no, side, side_where: the numerator and
-- the denominator with their `where` in a long file, one row of nulls otherwise);
-- `assembly_parts` (metric_no, org, part, position: the organisations a combined one adds,
-- in the order written).
-- Outputs: `assembled` (one point per metric, organisation and period, made of every row it
-- needs; source_rows says how many) and `assembly_rejects` (metric_no, source_row, reason:
-- each row that passed on its own but makes no point, and why).

-- The rows that passed on their own, under the organisation they count for. A row of a
-- combined organisation itself (not one of its parts) would be counted with its parts.
create or replace table assembly_rows as
with combined as (select distinct metric_no, org from assembly_parts)
select j.* exclude (org), j.org as part, coalesce(p.org, j.org) as org,
    p.org is null and c.org is not null as doubled
from judged as j
semi join assembly_metrics as m on m.metric_no = j.metric_no
left join assembly_parts as p on p.metric_no = j.metric_no and p.part = j.org
left join combined as c on c.metric_no = j.metric_no and c.org = j.org
anti join repeats as r on r.metric_no = j.metric_no and r.source_row = j.source_row
where j.problem is null and not j.suppressed;

create or replace table assembly_points as
with names as (
    select metric_no, org, org || ' adds ' || string_agg(part, ' + ' order by position) as adds
    from assembly_parts
    group by metric_no, org
),
points as (
    select metric_no, org, period, sum(numerator) as numerator, sum(denominator) as denominator,
        sum(value) as value_sum,
        coalesce(min(source_row) filter (where side = 'numerator'), min(source_row)) as source_row,
        count(*) as source_rows
    from assembly_rows
    where not doubled
    group by metric_no, org, period
),
needed as (  -- every part (the organisation itself, unless combined) on every side
    select pt.metric_no, pt.org, pt.period, coalesce(p.part, pt.org) as part, p.position, s.side,
        s.side_where
    from points as pt
    join assembly_sides as s on s.metric_no = pt.metric_no
    left join assembly_parts as p on p.metric_no = pt.metric_no and p.org = pt.org
),
missing as (
    select metric_no, org, period,
        string_agg(coalesce(side || ' row (' || side_where || ')', 'row') || ' of ' || part, ', '
                   order by position, side desc) as what
    from needed as n
    anti join assembly_rows as a on a.metric_no = n.metric_no and a.org = n.org
        and a.period = n.period and a.part = n.part and a.side is not distinct from n.side
        and not a.doubled
    group by metric_no, org, period
),
valued as (
    select pt.*, m.ratio,
        case when m.ratio then pt.numerator / nullif(pt.denominator, 0) else pt.value_sum end as value
    from points as pt
    join assembly_metrics as m on m.metric_no = pt.metric_no
)
select v.metric_no, v.org, v.period, v.value, v.numerator, v.denominator, v.source_row, v.source_rows,
    case
        when g.what is not null then coalesce(n.adds || ': ', '') || 'no ' || g.what || ' in '
            || strftime(v.period, '%Y-%m') || ' can be loaded'
        when v.ratio and v.denominator = 0
            then coalesce(n.adds || ': their denominators add up to zero', 'the denominator is zero')
        when v.value is null or not isfinite(v.value) then 'the value is not a finite number'
    end as reason
from valued as v
left join missing as g on g.metric_no = v.metric_no and g.org = v.org and g.period = v.period
left join names as n on n.metric_no = v.metric_no and n.org = v.org;

create or replace table assembled as
select metric_no, org, period, value, numerator, denominator, source_row, source_rows::integer as source_rows
from assembly_points
where reason is null;

create or replace table assembly_rejects as
select a.metric_no, a.source_row, p.reason
from assembly_rows as a
join assembly_points as p on p.metric_no = a.metric_no and p.org = a.org and p.period = a.period
where p.reason is not null and not a.doubled
union all
select a.metric_no, a.source_row,
    n.adds || ', so a row of ' || a.org || ' itself would be counted twice: leave such rows out '
    || 'with the filter, or give the combined organisation a name of its own'
from assembly_rows as a
join (select metric_no, org, org || ' adds ' || string_agg(part, ' + ' order by position) as adds
      from assembly_parts group by metric_no, org) as n on n.metric_no = a.metric_no and n.org = a.org
where a.doubled;
