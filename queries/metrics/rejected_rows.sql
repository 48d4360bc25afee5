-- Rejected extract rows with their file, line, metric, every reason (joined with "; ") and
-- the row's text as read. Parameters: $metric and $file (null: all).
select source_file, source_row, metric_id, reason, raw
from extract_rejects
where ($metric is null or metric_id = $metric)
    and ($file is null or source_file = $file)
order by source_file, source_row, metric_id
