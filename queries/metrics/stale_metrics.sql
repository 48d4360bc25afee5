-- Metrics whose latest data for the place's organisations, as at $as_at, is older than their
-- freshness window: the metric's own `freshness_months`, else the setting for its frequency
-- ($freshness_monthly, $freshness_quarterly, $freshness_annual), counted back from the month
-- of $as_at. The same rule shows them as "no recent data" on the scorecard (tracker.metrics.scorecard).
with latest as (
    select v.metric_id, max(v.period) as latest_period
    from metric_values as v
    join metrics as m using (metric_id)
    where v.period <= $as_at
        and list_contains(coalesce(m.orgs, $place_orgs::varchar[]), v.org)
    group by v.metric_id
),

windows as (
    select
        metric_id,
        coalesce(freshness_months, case frequency
            when 'monthly' then $freshness_monthly
            when 'quarterly' then $freshness_quarterly
            else $freshness_annual
        end) as freshness_months
    from metrics
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
join windows as w using (metric_id)
left join latest as l using (metric_id)
where l.latest_period is null
    or l.latest_period < date_trunc('month', $as_at::date) - to_months(w.freshness_months::integer)
order by owner, m.name
