-- The status of every objective as at the end of $quarter (last day $quarter_end):
-- what its lead reported, what the evidence says, and where the two disagree.
-- Only updates for quarters up to $quarter count. Thresholds come from settings:
-- $at_risk_window_months. $plan_id null means every plan. $status_ranks (worse is lower)
-- comes from tracker/status/rag.py, the one definition of the statuses.
-- Every status says whether it comes from an example update (reported_is_example), directly
-- or carried forward, and every movement whether an example is on either side of it
-- (movement_involves_example). has_real_update is the one definition of "this objective has
-- a real update for the quarter": the overview, the reminders, the pack and the CLI use it.
with rank_of as (
    select unnest($status_ranks, recursive := true)
),

known_updates as (
    select * from updates where quarter_end <= $quarter_end
),

this_quarter as (
    select objective_id, rag, commentary, mitigations, updated_by, updated_on, is_example
    from known_updates where quarter = $quarter
),

previous_quarter as (
    select objective_id, rag, is_example from known_updates where quarter = $previous_quarter
),

latest_before as (
    select objective_id, quarter, rag, is_example
    from known_updates
    where quarter_end < $quarter_end
    qualify row_number() over (partition by objective_id order by quarter_end desc) = 1
),

quarter_signoffs as (
    select
        objective_id,
        list(org order by signed_on, org) as signed_orgs,
        list(org || ' (' || signed_by || ', ' || strftime(signed_on, '%-d %b %Y') || ')'
            order by signed_on, org) as signed_off_by
    from signoffs
    where quarter = $quarter
    group by objective_id
),

late_milestones as (
    select
        objective_id,
        list(description || ' (due ' || strftime(due_month, '%B %Y') || ')' order by due_month)
            as late
    from milestones
    where last_day(due_month) < $quarter_end
        and (completed_month is null or completed_month > $quarter_end)
    group by objective_id
),

reported as (
    select
        o.*,
        case
            when t.rag is not null then t.rag
            when l.rag = 'blue' then 'blue'      -- complete stays complete
            else 'not_reported'
        end as reported_rag,
        t.rag is null and l.rag = 'blue' as complete_carried_forward,
        case
            when t.rag is not null then $quarter
            when l.rag = 'blue' then l.quarter
        end as reported_quarter,
        case
            when t.rag is not null then t.is_example
            when l.rag = 'blue' then l.is_example
            else false
        end as reported_is_example,
        t.commentary,
        t.mitigations,
        t.updated_by,
        t.updated_on,
        coalesce(t.is_example, false) as is_example,
        p.rag as previous_rag,
        coalesce(p.is_example, false) as previous_is_example,
        m.late as late_milestones,
        coalesce(s.signed_orgs, []) as signed_orgs,
        coalesce(s.signed_off_by, []) as signed_off_by
    from objectives as o
    left join this_quarter as t using (objective_id)
    left join latest_before as l using (objective_id)
    left join previous_quarter as p using (objective_id)
    left join late_milestones as m using (objective_id)
    left join quarter_signoffs as s using (objective_id)
    where $plan_id is null or o.plan_id = $plan_id
),

derived as (
    select
        *,
        target_month is not null and last_day(target_month) < $quarter_end
            and reported_rag <> 'blue' as overdue,
        target_month is not null and last_day(target_month) >= $quarter_end
            and target_month <= $quarter_end + to_months($at_risk_window_months)
            and late_milestones is not null as target_near_and_milestones_late
    from reported
),

decided as (
    select
        *,
        case
            when reported_rag = 'blue' then 'complete'
            when overdue then 'overdue'
            when target_near_and_milestones_late then 'at_risk'
            when target_month is null then 'no_date'
            else 'on_track'
        end as derived_status
    from derived
)

select
    d.objective_id as id,
    d.plan_id as plan,
    g.name as "group",
    a.name as area,
    strftime(d.target_month, '%Y-%m') as target_date,
    d.reported_rag,
    d.derived_status,
    list_concat(
        case when d.reported_rag = 'not_reported' then ['No update for ' || $quarter] else [] end,
        case when d.complete_carried_forward then ['Reported complete in an earlier quarter'
            || case when d.reported_is_example then ' (by an example update)' else '' end]
            else [] end,
        case when d.overdue then ['Target date ' || strftime(d.target_month, '%B %Y')
            || ' has passed and the objective is not reported complete'] else [] end,
        case when d.target_near_and_milestones_late then ['Target date '
            || strftime(d.target_month, '%B %Y') || ' is within ' || $at_risk_window_months
            || ' months and milestones are late'] else [] end,
        case when d.late_milestones is not null and d.reported_rag <> 'blue'
            then list_transform(d.late_milestones, lambda m: 'Milestone late: ' || m) else [] end,
        case when d.target_month is null and d.reported_rag <> 'blue'
            then ['The plan sets no target date'] else [] end
    ) as reasons,
    coalesce(r_rep.rank > r_der.rank, false) as rosier_than_evidence,
    case
        when d.reported_rag = 'not_reported' then 'not_reported'
        when d.previous_rag is null then 'new'
        when r_rep.rank > r_prev.rank then 'improved'
        when r_rep.rank < r_prev.rank then 'deteriorated'
        else 'unchanged'
    end as movement,
    d.reported_rag <> 'not_reported' and (d.reported_is_example or d.previous_is_example)
        as movement_involves_example,
    d.overdue,
    d.previous_rag,
    d.previous_is_example,
    d.reported_quarter,
    d.reported_is_example,
    d.reported_rag <> 'not_reported' and not d.reported_is_example as has_real_update,
    d.commentary,
    d.mitigations,
    d.updated_by,
    d.updated_on,
    d.is_example,
    d.signed_off_by,
    -- Sign-off is of the quarter's own updates: an objective with none (not reported, or
    -- complete since an earlier quarter) has nothing to sign and is not counted as signed off.
    d.reported_rag <> 'not_reported' and not d.complete_carried_forward as signoff_due,
    case when d.reported_rag = 'not_reported' or d.complete_carried_forward then []
        else list_filter($signoff_orgs, lambda org: not list_contains(d.signed_orgs, org))
    end as awaiting_signoff,
    d.objective,
    d.lead,
    d.group_id,
    d.area_id,
    d.position
from decided as d
join groups as g on g.plan_id = d.plan_id and g.group_id = d.group_id
join areas as a on a.plan_id = d.plan_id and a.area_id = d.area_id
left join rank_of as r_rep on r_rep.status = d.reported_rag
left join rank_of as r_der on r_der.status = d.derived_status
left join rank_of as r_prev on r_prev.status = d.previous_rag
order by d.plan_id, d.position
