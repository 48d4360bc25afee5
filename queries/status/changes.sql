-- What changed in $quarter: every objective updated for it, with its status the
-- quarter before ($previous_quarter) and the movement between them. $status_ranks
-- (worse is lower) comes from tracker/status/rag.py, the one definition of the statuses.
-- A movement with an example update on either side (or both) says so
-- (movement_involves_example): a real update is never silently compared with an example.
with rank_of as (
    select unnest($status_ranks, recursive := true)
),

this_quarter as (
    select * from updates where quarter = $quarter
),

previous as (
    select objective_id, rag, is_example from updates where quarter = $previous_quarter
)

select
    o.objective_id,
    p.name as plan_name,
    a.name as area_name,
    o.objective,
    prev.rag as previous_rag,
    u.rag,
    case
        when prev.rag is null then 'new'
        when r_now.rank > r_prev.rank then 'improved'
        when r_now.rank < r_prev.rank then 'deteriorated'
        else 'unchanged'
    end as movement,
    u.commentary,
    u.mitigations,
    u.updated_by,
    u.updated_on,
    u.is_example,
    coalesce(prev.is_example, false) as previous_is_example,
    u.is_example or coalesce(prev.is_example, false) as movement_involves_example
from this_quarter as u
join objectives as o using (objective_id)
join plans as p on p.plan_id = o.plan_id
join areas as a on a.plan_id = o.plan_id and a.area_id = o.area_id
left join previous as prev using (objective_id)
left join rank_of as r_now on r_now.status = u.rag
left join rank_of as r_prev on r_prev.status = prev.rag
where ($plan_id is null or o.plan_id = $plan_id)
order by p.position, o.position
