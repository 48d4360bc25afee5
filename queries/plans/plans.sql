-- The plans in the database, in the order they are built.
select plan_id, name, owner, period_start, period_end from plans order by position
