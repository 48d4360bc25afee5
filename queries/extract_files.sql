-- What happened to each extract at the last build: rows read, loaded, rejected, filtered.
select source_file, metric_id, status, rows_read, rows_loaded, rows_rejected, rows_filtered, message
from extract_files
order by status <> 'loaded' desc, source_file, metric_id
