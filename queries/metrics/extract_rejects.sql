-- Every rejected extract row, with its file, row number and reason.
select source_file, source_row, metric_id, reason, raw
from extract_rejects
order by source_file, source_row, metric_id
