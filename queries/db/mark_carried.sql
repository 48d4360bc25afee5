-- After the objectives of unreadable files are copied from the last good build (`carried`):
-- mark each "shown as at <date>: the file now has a problem", count them by file, and number
-- every plan's objectives again in the plan's order, so carried ones sit in their area's place.
update objectives set
    shown_as_at = c.shown_as_at,
    problem = 'shown as at ' || strftime(c.shown_as_at, '%-d %B %Y')
        || ': the file now has a problem: ' || c.path || coalesce(':' || c.line, '')
        || ': ' || c.message
from carried as c
where objectives.objective_id = c.objective_id;

update unread_files set objectives = c.n, shown_as_at = c.shown_as_at
from (
    select path, count(*) as n, min(shown_as_at) as shown_as_at
    from carried
    group by path
) as c
where unread_files.path = c.path;

update objectives set position = r.n
from (
    select
        o.objective_id,
        row_number() over (
            partition by o.plan_id order by a.position nulls last, o.position, o.objective_id
        ) as n
    from objectives as o
    left join areas as a on a.plan_id = o.plan_id and a.area_id = o.area_id
) as r
where objectives.objective_id = r.objective_id;
