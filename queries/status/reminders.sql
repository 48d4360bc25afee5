-- The objectives in $waiting (those with no real update for the quarter ending $quarter_end,
-- by `has_real_update` of objective_status.sql, the one definition), with their lead and
-- the last quarter each had a real update, ordered by lead.
with last_real as (
    select objective_id, quarter
    from updates
    where not is_example and quarter_end <= $quarter_end
    qualify row_number() over (partition by objective_id order by quarter_end desc) = 1
)

select
    coalesce(o.lead, 'No lead named') as lead,
    o.lead_email,
    o.lead_ids,
    o.objective_id,
    p.name as plan_name,
    a.name as area_name,
    o.objective,
    o.target_month,
    l.quarter as last_reported_quarter
from objectives as o
join plans as p using (plan_id)
join areas as a on a.plan_id = o.plan_id and a.area_id = o.area_id
left join last_real as l using (objective_id)
where list_contains($waiting, o.objective_id)
order by o.lead is null, lead, p.position, o.position
