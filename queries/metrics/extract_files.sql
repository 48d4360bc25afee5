-- What happened to each extract at the last build: rows read, loaded, rejected, filtered,
-- suppressed (read = loaded + rejected + filtered + suppressed).
-- A metric that loaded no row of an extract that has rows shows as 'nothing loaded'.
select f.source_file, f.metric_id,
    case when f.status = 'loaded' and f.rows_loaded = 0 and f.rows_read > 0 then 'nothing loaded'
         else f.status end as status,
    f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_filtered,
    f.rows_suppressed, f.message
from extract_files as f
order by f.status <> 'loaded' or (f.rows_loaded = 0 and f.rows_read > 0) desc, f.source_file, f.metric_id
