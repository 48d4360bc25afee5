-- Periods as analysts' extracts write them, to the first day of a month.
--   dates: 2023-04-01, 2023-04-01 00:00:00, 01/04/2023, 01/04/23, 01-Apr-23, 1 April 2023
--   months: 2023-04, 202304, Apr-23, Apr 2023, April 2023, Apr-2023
--   financial quarters (Q1 = April-June): 2023-24 Q2, 2023/24 Q2, Q2 23/24, Q2 2023-24
--   financial years: 2023-24, 2023/24 (April 2023)
-- `period_start(month, frequency)` then moves the month to the start of its financial
-- quarter (quarterly metrics) or year (annual), so each period is one row however published.
-- Used by `period_lookup.sql`, once per distinct text: planning these is the costly part.
-- "2011-12" reads as December 2011 unless the metric is annual (then 2011-12 the year).

create or replace macro period_month(p) as cast(date_trunc('month', coalesce(
    try_strptime(p, '%Y-%m-%d'),
    try_strptime(p, '%Y-%m-%d %H:%M:%S'),
    try_strptime(p, '%Y-%m-%dT%H:%M:%S'),
    try_strptime(p, '%d/%m/%y'),
    try_strptime(p, '%d/%m/%Y'),
    try_strptime(p, '%d-%m-%Y'),
    try_strptime(p, '%d-%b-%y'),
    try_strptime(p, '%d-%b-%Y'),
    try_strptime(p, '%d %b %Y'),
    try_strptime(p, '%d %B %Y'),
    try_strptime(p, '%Y-%m'),
    try_strptime(p, '%Y%m'),
    try_strptime(p, '%b-%y'),
    try_strptime(p, '%b %y'),
    try_strptime(p, '%b-%Y'),
    try_strptime(p, '%b %Y'),
    try_strptime(p, '%B %Y'),
    try_strptime(p, '%B-%y'),
    try_strptime(p, '%B %y')
)) as date);

-- The first year of a financial year written with two or four digits (23 -> 2023).
create or replace macro fy_first_year(y) as
    case when length(y) = 2 then 2000 + try_cast(y as integer) else try_cast(y as integer) end;

-- A financial year's quarter to its first month; null unless the two years follow on.
create or replace macro fy_quarter_month(y1, y2, q) as case
    when (fy_first_year(y1) + 1) % 100 = try_cast(y2 as integer) % 100
        then make_date(fy_first_year(y1) + (try_cast(q as integer) = 4)::integer,
                       (try_cast(q as integer) * 3) % 12 + 1, 1)
end;

create or replace macro period_quarter(p) as coalesce(
    fy_quarter_month(
        regexp_extract(p, '^(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*Q([1-4])$', ['y1', 'y2', 'q'], 'i').y1,
        regexp_extract(p, '^(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*Q([1-4])$', ['y1', 'y2', 'q'], 'i').y2,
        regexp_extract(p, '^(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*Q([1-4])$', ['y1', 'y2', 'q'], 'i').q),
    fy_quarter_month(
        regexp_extract(p, '^Q([1-4])\s*(\d{2}|\d{4})\s*[-/]\s*(\d{2}|\d{4})$', ['q', 'y1', 'y2'], 'i').y1,
        regexp_extract(p, '^Q([1-4])\s*(\d{2}|\d{4})\s*[-/]\s*(\d{2}|\d{4})$', ['q', 'y1', 'y2'], 'i').y2,
        regexp_extract(p, '^Q([1-4])\s*(\d{2}|\d{4})\s*[-/]\s*(\d{2}|\d{4})$', ['q', 'y1', 'y2'], 'i').q)
);

create or replace macro period_year(p) as fy_quarter_month(
    regexp_extract(p, '^(\d{4})\s*[-/]\s*(\d{2}|\d{4})$', ['y1', 'y2']).y1,
    regexp_extract(p, '^(\d{4})\s*[-/]\s*(\d{2}|\d{4})$', ['y1', 'y2']).y2,
    '1');

-- The month a period's text names (before moving it to its quarter or year); null if none.
create or replace macro period_found(p, frequency) as coalesce(
    case when frequency = 'annual' then period_year(p) end,
    period_month(p), period_quarter(p), period_year(p));

-- A found month to the first month of the metric's period.
create or replace macro period_start(d, frequency) as cast(case frequency
    when 'quarterly' then date_trunc('quarter', d)
    when 'annual' then make_date(year(d) - (month(d) < 4)::integer, 4, 1)
    else d
end as date);
