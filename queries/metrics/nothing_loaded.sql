-- Metrics that loaded no rows from an extract that has rows, with their most common reasons
-- (empty = pass). A reason's quoted cell ('May 2023x') is masked so that rows failing the same
-- way count together; `example` is the first such row's own reason and `first_row` its line.
with empty as (
    select source_file, metric_id, rows_read, rows_rejected, rows_filtered, rows_suppressed
    from extract_files
    where status = 'loaded' and rows_loaded = 0 and rows_read > 0
),
reasons as (
    select r.metric_id, r.source_file,
        regexp_replace(r.reason, '''[^'']*''', '''...''', 'g') as kind,
        count(*) as n_rows,
        min(r.source_row) as first_row,
        arg_min(r.reason, r.source_row) as example
    from extract_rejects as r
    semi join empty as e on e.metric_id = r.metric_id and e.source_file = r.source_file
    group by all
),
ranked as (
    select *, row_number() over (partition by metric_id, source_file
                                 order by n_rows desc, first_row) as rank
    from reasons
)
select e.source_file, e.metric_id, e.rows_read, e.rows_rejected, e.rows_filtered, e.rows_suppressed,
    r.n_rows, r.first_row, r.example, r.rank
from empty as e
left join ranked as r on r.metric_id = e.metric_id and r.source_file = e.source_file and r.rank <= 3
order by e.source_file, e.metric_id, r.rank
