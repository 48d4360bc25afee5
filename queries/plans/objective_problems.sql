-- Objectives shown with a problem: a bad field in their file (left out, taken as absent),
-- or a file that cannot be read now (shown as at the last good build, `shown_as_at`).
-- $plan_id null means every plan.
select
    objective_id,
    plan_id,
    area_id,
    problem,
    shown_as_at,
    source_path,
    source_line
from objectives
where problem is not null and ($plan_id is null or plan_id = $plan_id)
order by plan_id, position
