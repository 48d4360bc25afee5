-- Every distinct period text of one period column of an extract, once, with the period it
-- names for a metric of the given frequency. Input: view `period_texts` (period_text).
-- Parameters: $column (the period column), $frequency (monthly, quarterly, annual).
insert into period_lookup
select $column, $frequency, period_text, period_of(trim(period_text), $frequency)
from (select distinct period_text from period_texts)
