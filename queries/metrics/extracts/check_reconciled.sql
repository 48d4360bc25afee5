-- Extracts whose counts do not add up (empty = pass): for each metric of each extract that
-- loaded, rows read = loaded + rejected + filtered + suppressed, and the tables hold exactly the rows
-- counted as loaded and rejected (a point made of several rows holds `source_rows` of them).
with held as (
    select f.source_file, f.metric_id, f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_filtered,
        f.rows_suppressed,
        (select coalesce(sum(p.source_rows), 0) from metric_points as p where p.metric_id = f.metric_id)
            as values_held,
        (select count(*) from extract_rejects as r
         where r.metric_id = f.metric_id and r.source_file = f.source_file) as rejects_held
    from extract_files as f
    where f.status = 'loaded'
)
select *
from held
where rows_read <> rows_loaded + rows_rejected + rows_filtered + rows_suppressed
    or values_held <> rows_loaded
    or rejects_held <> rows_rejected
order by source_file, metric_id
