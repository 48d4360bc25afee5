-- The organisations a metric ($metric_id) has values for: the place's own first, in the order
-- they are declared (the metric's `orgs:`, else $place_orgs), then the others by name.
with place as (
    select coalesce(m.orgs, $place_orgs::varchar[]) as orgs
    from metrics as m
    where m.metric_id = $metric_id
)

select
    v.org,
    count(*) as points,
    max(v.period) as latest_period,
    list_contains(p.orgs, v.org) as is_place
from metric_values as v
cross join place as p
where v.metric_id = $metric_id
group by v.org, p.orgs
order by
    case when list_contains(p.orgs, v.org) then list_position(p.orgs, v.org) end nulls last,
    v.org
