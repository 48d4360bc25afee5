-- Metrics whose latest data, as at $as_at, is older than their frequency allows
-- (monthly: 2 months, quarterly: 5 months, annual: 15 months, allowing for publication lag).
with latest as (
    select metric_id, max(period) as latest_period
    from metric_values
    where period <= $as_at
    group by metric_id
)

select
    m.metric_id,
    m.name,
    m.frequency,
    coalesce(m.owner, 'No owner named') as owner,
    m.owner_email,
    l.latest_period,
    m.is_example
from metrics as m
left join latest as l using (metric_id)
where l.latest_period is null
    or l.latest_period + case m.frequency
        when 'monthly' then interval 2 month
        when 'quarterly' then interval 5 month
        else interval 15 month
    end < date_trunc('month', $as_at::date)
order by owner, m.name
