-- Rows that say the same metric, organisation and period as another row of the extract
-- (and the same side of the ratio, in a long file: `side` is null otherwise).
-- Input: `judged` (every metric's rows; problem is null for the rows that pass, and
-- `suppressed` marks the rows counted as suppressed, which are not compared).
--
-- An exact repeat (same value, numerator and denominator) loads the first row and rejects
-- the later ones as repeats; different values reject every row of the clash, since we
-- cannot know which one is right. Most extracts have none, so the grouping first finds the
-- few keys that occur twice and only their rows are compared.
create or replace table repeats as
with keys as (
    select metric_no, org, period, side
    from judged
    where problem is null and not suppressed
    group by metric_no, org, period, side
    having count(*) > 1
),
rows as (
    select j.metric_no, j.org, j.period, j.side, j.source_row, j.value, j.numerator, j.denominator
    from judged as j
    semi join keys as k on j.metric_no = k.metric_no and j.org = k.org and j.period = k.period
        and j.side is not distinct from k.side
    where j.problem is null and not j.suppressed
),
compared as (
    select metric_no, org, period, side,
        min(source_row) as first_row,
        min(value) is distinct from max(value)
            or min(numerator) is distinct from max(numerator)
            or min(denominator) is distinct from max(denominator) as clash,
        string_agg(source_row::varchar, ', ' order by source_row) as all_rows
    from rows
    group by metric_no, org, period, side
)
select r.metric_no, r.source_row,
    case when c.clash then 'the same organisation and period has different values in rows ' || c.all_rows
         else 'repeats row ' || c.first_row
    end as reason
from rows as r
join compared as c on c.metric_no = r.metric_no and c.org = r.org and c.period = r.period
    and c.side is not distinct from r.side
where c.clash or r.source_row <> c.first_row
