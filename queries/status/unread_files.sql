-- Plan and area files that could not be read at the last build, and how many of their
-- objectives are shown as at the last good build (0: none, there was no good build).
-- $plan_id null means every plan.
select plan_id, area_id, path, line, message, shown_as_at, objectives
from unread_files
where $plan_id is null or plan_id = $plan_id
order by path
