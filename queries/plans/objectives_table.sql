-- Every objective of every plan with its place in the plan and its latest
-- update on or before $as_at (the last day of the chosen quarter).
with latest_update as (
    select
        objective_id,
        quarter,
        rag,
        commentary,
        is_example
    from updates
    where quarter_end <= $as_at
    qualify row_number() over (partition by objective_id order by quarter_end desc) = 1
)

select
    o.objective_id,
    o.plan_id,
    p.name as plan_name,
    g.name as group_name,
    a.name as area_name,
    o.objective,
    o.timeframe,
    o.target_month,
    o.lead,
    o.lead_ids,
    u.quarter as latest_quarter,
    coalesce(u.rag, 'not_reported') as latest_rag,
    u.commentary as latest_commentary,
    coalesce(u.is_example, false) as is_example,
    o.position
from objectives as o
join plans as p using (plan_id)
join groups as g on g.plan_id = o.plan_id and g.group_id = o.group_id
join areas as a on a.plan_id = o.plan_id and a.area_id = o.area_id
left join latest_update as u using (objective_id)
order by p.position, o.position
