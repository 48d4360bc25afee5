-- Objectives still waiting for a real (not example) update for $quarter, by lead.
-- Objectives already reported complete (blue) in an earlier quarter need no more updates.
-- $plan_id null means every plan.
with last_real as (
    select objective_id, quarter, rag
    from updates
    where not is_example and quarter_end < $quarter_end
    qualify row_number() over (partition by objective_id order by quarter_end desc) = 1
)

select
    coalesce(o.lead, 'No lead named') as lead,
    o.lead_email,
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
where ($plan_id is null or o.plan_id = $plan_id)
    and coalesce(l.rag, '') <> 'blue'
    and not exists (
        select 1 from updates as u
        where u.objective_id = o.objective_id and u.quarter = $quarter and not u.is_example
    )
order by o.lead is null, lead, p.position, o.position
