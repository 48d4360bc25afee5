-- One objective with its place in the plan ($objective_id).
select
    o.*,
    p.name as plan_name,
    g.name as group_name,
    a.name as area_name
from objectives as o
join plans as p using (plan_id)
join groups as g on g.plan_id = o.plan_id and g.group_id = o.group_id
join areas as a on a.plan_id = o.plan_id and a.area_id = o.area_id
where o.objective_id = $objective_id
