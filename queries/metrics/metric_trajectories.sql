-- Planned target values by period, for metrics with a trajectory.
select metric_id, period, value from metric_trajectory order by metric_id, period
