-- Which metrics evidence which objectives: declared on the metric or on the objective.
select distinct objective_id, metric_id from (
    select objective_id, metric_id from metric_objectives
    union all
    select objective_id, metric_id from objective_metrics
)
where metric_id in (select metric_id from metrics)
order by objective_id, metric_id
