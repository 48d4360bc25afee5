-- Every distinct period text of one period column of an extract, once, with the period it
-- names for a metric of the given frequency. Input: view `period_texts` (period_text).
-- Parameters: $column (the period column), $frequency (monthly, quarterly, annual).
insert into period_lookup
with found as (
    select period_text, period_found(trim(period_text), $frequency) as month
    from (select distinct period_text from period_texts)
)
select $column, $frequency, period_text,
       -- years outside 1900 to 2100 are slips (0001-04), and beyond Python's and pandas' dates
       case when year(month) between 1900 and 2100 then period_start(month, $frequency) end
from found
