-- Metric definitions and the values loaded from the analysts' extracts.

create table metrics (
    metric_id varchar primary key,
    name varchar not null,
    description varchar,
    unit varchar not null,
    direction varchar not null,            -- higher_is_better, lower_is_better, neutral
    frequency varchar not null,            -- monthly, quarterly, annual
    target_value double,
    target_due date,
    target_set_by varchar,                  -- who set the target (optional)
    tolerance double,
    fix_after_n_points integer,             -- SPC limits from the first n points only
    headline boolean not null,
    owner varchar,
    owner_email varchar,
    is_example boolean not null,            -- invented example data: always labelled
    orgs varchar[],                         -- the place's organisations it is shown for (null: the setting)
    freshness_months integer,               -- how old its latest data may be (null: the setting)
    benchmark_name varchar,                 -- what it is compared with (null: no benchmark)
    source_file varchar not null,
    definition_path varchar not null,
    definition_line integer
);

create table metric_objectives (metric_id varchar not null, objective_id varchar not null);
create table metric_trajectory (metric_id varchar not null, period date not null, value double not null);
-- SPC limits restart at each rebase month (its reason is shown with the chart); events are
-- marked on the chart and listed under it.
create table metric_rebase (metric_id varchar not null, period date not null, reason varchar);
create table metric_event (
    metric_id varchar not null, period date not null, text varchar not null,
    position integer not null               -- its place in the YAML list, to keep their order
);

-- The values loaded from the extracts. Stored narrow (a wide table costs more to write
-- than reading the extracts does), and read through the view `metric_values`.
create table metric_points (
    metric_id varchar not null,
    org varchar not null,
    period date not null,                   -- first day of the month (quarter, financial year)
    value double not null,
    numerator double,
    denominator double,
    source_row integer not null,            -- the row as a person sees it (CSV: the line number)
    source_rows integer not null default 1  -- the rows it is made of (a long file's pair, combined orgs)
);

-- Beside a point, for metrics that name a benchmark: the benchmark's value (England's, by
-- default), the benchmark's own 95% interval (when read from its organisation's rows) and
-- the area's own 95% interval, which the comparison reads (tracker.metrics.benchmarking).
create table metric_benchmarks (
    metric_id varchar not null,
    org varchar not null,
    period date not null,
    benchmark_value double,
    benchmark_lower double,
    benchmark_upper double,
    lower_ci double,                        -- the area's lower 95% confidence limit
    upper_ci double                         -- the area's upper 95% confidence limit
);

-- The publisher's words for a pooled period (OHID's "2019 - 21", "2018/19 - 20/21"), which is
-- stored at its last year: shown wherever the period is (queries/metrics/extracts/period_labels.sql).
create table metric_period_labels (metric_id varchar not null, period date not null, label varchar not null);

-- One row per metric, organisation and period (duplicates are rejected at load).
create view metric_values as
select
    p.metric_id, p.org, p.period, p.value, p.numerator, p.denominator,
    b.benchmark_value, b.benchmark_lower, b.benchmark_upper, b.lower_ci, b.upper_ci,
    m.source_file, p.source_row
from metric_points as p
join metrics as m on m.metric_id = p.metric_id
left join metric_benchmarks as b on b.metric_id = p.metric_id and b.org = p.org and b.period = p.period;

create table extract_rejects (
    metric_id varchar,                      -- null when the row could not be parsed at all
    source_file varchar not null,
    source_row integer,
    reason varchar not null,
    raw varchar                             -- the row's values as read, for the analyst
);

create table extract_files (
    source_file varchar not null,
    metric_id varchar,
    status varchar not null,                -- loaded, unreadable, refused
    rows_read integer not null,
    rows_loaded integer not null,
    rows_rejected integer not null,
    rows_filtered integer not null,
    rows_suppressed integer not null default 0,  -- a number the publisher marked as suppressed
    message varchar
);
