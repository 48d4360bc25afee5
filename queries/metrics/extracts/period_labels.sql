-- The publisher's words for each pooled period a metric loaded (OHID's "2019 - 21",
-- "2018/19 - 20/21"): a pooled period is stored at its last year (parse_period.sql), so
-- without its words "2019 - 21" would show as 2021. One label per metric and period.
-- Input: table `judged` (each kept row with its period text), after the benchmark
-- organisations' rows have left it.
select metric_no, period, min(trim(period_text)) as label
from judged
where problem is null and not suppressed and period is not null
    and (pooled_parts(trim(period_text)).y1 <> '' or pooled_fy_parts(trim(period_text)).y1 <> '')
group by metric_no, period
