-- Every metric value whose period began by $as_at (data available as at that date), with
-- the publisher's words for a pooled period (null for any other period).
select v.metric_id, v.org, v.period, v.value, v.numerator, v.denominator,
       v.benchmark_value, v.benchmark_lower, v.benchmark_upper, v.lower_ci, v.upper_ci,
       l.label as period_label
from metric_values as v
left join metric_period_labels as l on l.metric_id = v.metric_id and l.period = v.period
where v.period <= $as_at
order by v.metric_id, v.org, v.period
