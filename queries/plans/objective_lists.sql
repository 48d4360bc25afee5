-- The listed parts of one objective ($objective_id), one row per item, as kind/position/text.
select 'impact' as kind, position, impact as text from impacts where objective_id = $objective_id
union all
select 'action', position, action from actions where objective_id = $objective_id
union all
select 'partner', position, partner from partners where objective_id = $objective_id
union all
select 'risk', position, risk from risks where objective_id = $objective_id
order by kind, position
