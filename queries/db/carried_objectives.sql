-- The objectives of files that cannot be read now, as the last good build had them
-- (`previous_objectives`, `previous_build`: that build's database, attached read-only).
-- An unreadable area file carries its area's objectives; an unreadable plan.yaml its whole
-- plan's. An id now read from another file is not carried (the file there wins).
select
    o.objective_id,
    coalesce(o.shown_as_at, b.built_at) as shown_as_at,  -- carried before: still its first date
    u.path,
    u.line,
    u.message
from previous_objectives as o
cross join (select max(built_at) as built_at from previous_build) as b
join unread_files as u
    on u.plan_id = o.plan_id and (u.area_id is null or u.area_id = o.area_id)
where o.objective_id not in (select objective_id from objectives)
