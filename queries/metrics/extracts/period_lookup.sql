-- Every distinct period text of one period column of an extract, once, with the period it
-- names for a metric of the given frequency (parse_period.sql has the forms). Input: view
-- `period_texts` (period_text). Parameters: $column (the period column), $frequency
-- (monthly, quarterly, annual).
insert into period_lookup
with texts as (
    select period_text, trim(period_text) as p from (select distinct period_text from period_texts)
),
parts as (
    select period_text, period_month(p) as month, prefixed_month(p) as prefixed,
        period_quarter(p) as quarter, fy_parts(p) as fy, pooled_fy_parts(p) as pooled_fy,
        calendar_year_text(p) as calendar, pooled_parts(p) as pooled
    from texts
),
years as (
    select period_text, month, prefixed, quarter, pooled.y1 <> '' or pooled_fy.y1 <> '' as pooled,
        fy_quarter_month(fy.y1, fy.y2, '1') as financial_year,
        case when fy_quarter_month(pooled_fy.y1, pooled_fy.y2, '1') is not null
            then fy_quarter_month(pooled_last_year(pooled_fy.y1, pooled_fy.y3)::varchar, pooled_fy.y4, '1')
        end as pooled_financial_year,
        -- a calendar year (or a pooled run, at its last year), at 1 January
        make_date(coalesce(try_cast(calendar as integer), pooled_last_year(pooled.y1, pooled.y2)), 1, 1)
            as calendar_year
    from parts
)
select $column, $frequency, period_text,
    -- years outside 1900 to 2100 are slips (0001-04), and beyond Python's and pandas' dates
    case when year(found) between 1900 and 2100 then found end,
    pooled
from (
    select period_text, pooled,
        case when $frequency = 'annual'
            then coalesce(calendar_year, period_start(
                coalesce(financial_year, pooled_financial_year, month, prefixed, quarter), 'annual'))
            else period_start(coalesce(month, prefixed, quarter, financial_year), $frequency)
        end as found
    from years
)
