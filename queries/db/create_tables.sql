-- The tracker database: one table per thing a reader would name.
-- Built fresh by `python -m tracker build` into a new file that is then swapped in.

create table build_info (
    built_at timestamp not null,
    example_data boolean not null,        -- were example updates included?
    source_signature varchar not null,    -- which source files (and versions) it was built from
    problem_count integer not null
);

-- What the build was made from, input by input (plan, metric, extract and SQL files,
-- settings, the tracker itself, each metric definition), so that the next build redoes
-- only the work whose inputs changed.
create table build_inputs (
    kind varchar not null,                -- tracker, settings, sql, plan, plans_shared, metric,
                                          -- extract, metric_definition
    path varchar not null,                -- the file, relative to the project (a metric's id)
    fingerprint varchar not null          -- size:mtime of a file; a digest of a definition
);

create table plans (
    plan_id varchar primary key,
    name varchar not null,
    owner varchar not null,
    period_start date not null,           -- first day of the plan's first month
    period_end date not null,             -- first day of the plan's last month
    source varchar,
    vision varchar,
    position integer not null
);

create table themes (
    plan_id varchar not null,
    theme_id varchar not null,
    name varchar not null,
    description varchar,
    position integer not null
);

create table groups (
    plan_id varchar not null,
    group_id varchar not null,
    name varchar not null,
    position integer not null
);

create table areas (
    plan_id varchar not null,
    group_id varchar not null,
    area_id varchar not null,
    name varchar not null,
    code varchar not null,
    position integer not null
);

create table objectives (
    objective_id varchar primary key,
    plan_id varchar not null,
    group_id varchar not null,
    area_id varchar not null,
    position integer not null,            -- order in the plan
    objective varchar not null,
    timeframe varchar not null,
    target_month date,                    -- first day of the target month; null = no date set
    rationale varchar,
    lead varchar,                         -- the leads' names from people.yaml, joined by '; '
    lead_email varchar,
    lead_ids varchar[],                   -- the person ids of objectives' `lead:`
    lead_as_published varchar,            -- the lead as the plan prints it
    notes varchar,
    source_path varchar not null,
    source_line integer,
    problem varchar,                      -- null, or what is wrong as `path:line: message`
                                          -- (its bad fields are left out: taken as absent)
    shown_as_at timestamp                 -- set when its file could not be read: the objective
                                          -- as at the last good build, of this time
);

create table impacts (objective_id varchar not null, position integer not null, impact varchar not null);
create table actions (objective_id varchar not null, position integer not null, action varchar not null);
create table partners (objective_id varchar not null, position integer not null, partner varchar not null);
create table risks (objective_id varchar not null, position integer not null, risk varchar not null);
create table objective_metrics (objective_id varchar not null, metric_id varchar not null);

create table milestones (
    objective_id varchar not null,
    position integer not null,
    description varchar not null,
    due varchar not null,                 -- as written: YYYY-MM or YYYY
    due_month date not null,              -- first day of the due month (December for a year)
    completed_month date
);

create table targets (
    objective_id varchar not null,
    position integer not null,
    measure varchar not null,
    value double not null,
    unit varchar not null,
    baseline double,
    due varchar not null,
    due_month date not null,
    metric_id varchar
);

create table updates (
    objective_id varchar not null,
    quarter varchar not null,             -- e.g. 2023-24 Q2
    quarter_start date not null,
    quarter_end date not null,            -- last day of the quarter
    rag varchar not null,                 -- red, amber, green, blue
    commentary varchar not null,
    mitigations varchar,
    updated_by varchar,
    updated_on date,
    is_example boolean not null,          -- true: a shipped example, not a real update
    source_path varchar not null,
    source_line integer,
    primary key (objective_id, quarter)
);

create table signoffs (
    objective_id varchar not null,
    quarter varchar not null,
    org varchar not null,
    signed_by varchar not null,
    signed_on date not null
);

create table problems (
    path varchar not null,
    line integer,
    message varchar not null
);

-- Plan and area files that could not be read at all (not YAML, a tab, too big): their
-- objectives are shown from the last good build where there was one (`objectives` of them).
create table unread_files (
    plan_id varchar not null,
    area_id varchar,                      -- null: the plan's own plan.yaml
    path varchar not null,
    line integer,
    message varchar not null,
    shown_as_at timestamp,                -- the last good build its objectives are shown from
    objectives integer not null           -- how many objectives are shown from that build
);
