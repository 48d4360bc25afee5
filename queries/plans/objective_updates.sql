-- Every update of one objective ($objective_id) up to $as_at, newest first, with sign-offs.
select
    u.quarter,
    u.rag,
    u.commentary,
    u.mitigations,
    u.updated_by,
    u.updated_on,
    u.is_example,
    coalesce(
        (select string_agg(s.org || ' (' || s.signed_by || ', ' || strftime(s.signed_on, '%d %b %Y') || ')', '; ')
         from signoffs as s
         where s.objective_id = u.objective_id and s.quarter = u.quarter),
        ''
    ) as signed_off_by
from updates as u
where u.objective_id = $objective_id and u.quarter_end <= $as_at
order by u.quarter_end desc
