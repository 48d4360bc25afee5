-- Every metric value whose period began by $as_at (data available as at that date).
select metric_id, org, period, value, numerator, denominator,
       benchmark_value, benchmark_lower, benchmark_upper, lower_ci, upper_ci
from metric_values
where period <= $as_at
order by metric_id, org, period
