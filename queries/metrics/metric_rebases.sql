-- The months at which each metric's SPC limits restart, and why (declared in its YAML).
select metric_id, period, reason from metric_rebase order by metric_id, period
