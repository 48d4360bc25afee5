-- Milestones and targets of one objective ($objective_id), in date order.
select
    'milestone' as kind,
    description as what,
    due,
    due_month,
    completed_month,
    null::double as value,
    null as unit,
    null::double as baseline
from milestones
where objective_id = $objective_id
union all
select 'target', measure, due, due_month, null, value, unit, baseline
from targets
where objective_id = $objective_id
order by due_month, kind
