-- The events marked on each metric's chart (declared in its YAML), in date order.
select metric_id, period, text from metric_event order by metric_id, period, position
