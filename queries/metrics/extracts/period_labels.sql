-- The publisher's words for each pooled period a metric loaded (OHID's "2019 - 21",
-- "2018/19 - 20/21"): a pooled period is stored at its last year (parse_period.sql), so
-- without its words "2019 - 21" would show as 2021. One label per metric and period.
-- Input: table `judged` (each kept row with its period text), after the benchmark
-- organisations' rows have left it, and `period_lookup`, which tells each distinct text
-- pooled or not once (testing the patterns on every row of a 500,000-row extract cost 0.14 s).
with texts as (
    select distinct metric_no, period, period_text
    from judged
    where problem is null and not suppressed and period is not null
)
select t.metric_no, t.period, min(trim(t.period_text)) as label
from texts as t
semi join period_lookup as l on l.period_text = t.period_text and l.pooled
group by t.metric_no, t.period
