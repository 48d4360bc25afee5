-- The months at which each metric's SPC limits restart (declared in its YAML).
select metric_id, period from metric_rebase order by metric_id, period
