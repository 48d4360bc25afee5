-- The organisations a metric ($metric_id) has values for, most data first.
select org, count(*) as points
from metric_values
where metric_id = $metric_id
group by org
order by points desc, org
