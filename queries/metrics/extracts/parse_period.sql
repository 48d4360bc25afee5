-- Periods as analysts' extracts write them, to the first day of a month.
--   dates: 2023-04-01, 2023-04-01 00:00:00, 01/04/2023, 01/04/23, 01-Apr-23, 1 April 2023
--   months: 2023-04, 202304, Apr-23, Apr 2023, April 2023, Apr-2023, April-2023, and
--     NHS England's <prefix>-<MONTH>-<YEAR>: MSitAE-APRIL-2023, RTT-APR-2023
--   financial quarters (Q1 = April-June): 2023-24 Q2, 2023/24 Q2, Q2 23/24, Q2 2023-24
--   financial years: 2023-24, 2023/24 (April 2023); pooled, OHID's 2018/19 - 20/21 (the last)
--   annual metrics only, calendar years (stored at 1 January): 2022, OHID Fingertips'
--     sortable 20220000, and pooled years 2019 - 21 (spaces round the dash; stored at the
--     last year, 2021: a pooled period is reported at its end, as OHID charts it)
-- `period_start(month, frequency)` then moves the month to the start of its financial
-- quarter (quarterly metrics) or year (annual), so each period is one row however published.
-- `period_lookup.sql` puts these together, once per distinct text: planning these is the
-- costly part.
-- "2011-12" reads as December 2011 unless the metric is annual (then 2011-12 the year);
-- "2019 - 21", with spaces round the dash, is three calendar years, never a financial year.

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
    try_strptime(p, '%B-%Y'),
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

-- The last year of a pooled run from its first year and its last written with two or four
-- digits (2019, 21 -> 2021; 1999, 01 -> 2001); null unless it comes 1 to 20 years after.
create or replace macro pooled_year(y1, y2) as case
    when length(y2) = 4 then try_cast(y2 as integer)
    when length(y2) = 2 then try_cast(y1 as integer) - try_cast(y1 as integer) % 100
        + try_cast(y2 as integer)
        + 100 * (try_cast(y2 as integer) <= try_cast(y1 as integer) % 100)::integer
end;
create or replace macro pooled_last_year(y1, y2) as case
    when pooled_year(y1, y2) - try_cast(y1 as integer) between 1 and 20 then pooled_year(y1, y2)
end;

-- The parts of the longer forms, each read once per text in `period_lookup.sql` (so the
-- macros above see column references, not these expressions again: nesting them here would
-- make every distinct text cost a great deal to plan).
-- NHS England's `<prefix>-<MONTH>-<YEAR>` (MSitAE-APRIL-2023): the month after the prefix.
create or replace macro prefixed_month(p) as cast(coalesce(
    try_strptime(regexp_extract(p, '^[A-Za-z][A-Za-z0-9_ ]*-([A-Za-z]{3,9}-\d{4})$', 1), '%B-%Y'),
    try_strptime(regexp_extract(p, '^[A-Za-z][A-Za-z0-9_ ]*-([A-Za-z]{3,9}-\d{4})$', 1), '%b-%Y'),
    try_strptime(regexp_extract(p, '^[A-Za-z][A-Za-z0-9_ ]*-([A-Za-z]{3,9}-\d{2})$', 1), '%B-%y'),
    try_strptime(regexp_extract(p, '^[A-Za-z][A-Za-z0-9_ ]*-([A-Za-z]{3,9}-\d{2})$', 1), '%b-%y')
) as date);
-- A financial year, 2023-24 or 2023/24 (a dash with spaces round it is a pooled run instead).
create or replace macro fy_parts(p) as
    regexp_extract(p, '^(\d{4})(?:-|\s*/\s*)(\d{2}|\d{4})$', ['y1', 'y2']);
-- A pooled run of financial years, 2018/19 - 20/21.
create or replace macro pooled_fy_parts(p) as
    regexp_extract(p, '^(\d{4})\s*/\s*(\d{2}|\d{4})\s*-\s*(\d{2}|\d{4})\s*/\s*(\d{2}|\d{4})$',
                   ['y1', 'y2', 'y3', 'y4']);
-- A calendar year, 2022, or as Fingertips sorts it, 20220000.
create or replace macro calendar_year_text(p) as nullif(regexp_extract(p, '^(\d{4})(?:0000)?$', 1), '');
-- A pooled run of calendar years, 2019 - 21 (spaces round the dash).
create or replace macro pooled_parts(p) as regexp_extract(p, '^(\d{4})\s+-\s+(\d{2}|\d{4})$', ['y1', 'y2']);

-- A found month to the first month of the metric's period.
create or replace macro period_start(d, frequency) as cast(case frequency
    when 'quarterly' then date_trunc('quarter', d)
    when 'annual' then make_date(year(d) - (month(d) < 4)::integer, 4, 1)
    else d
end as date);

-- The forms a metric of the frequency reads, for the message of a period it cannot read.
create or replace macro period_forms(frequency) as
    'a date (2023-04-01, 01/04/2023, 01-Apr-23, 1 April 2023), a month (2023-04, 202304, '
    || 'Apr-23, April 2023, MSitAE-APRIL-2023)'
    || case frequency
        when 'annual' then ', a financial year (2023-24, 2023/24; pooled: 2018/19 - 20/21), '
            || 'a calendar year (2022, or 20220000 as Fingertips sorts it) or pooled calendar '
            || 'years (2019 - 21, stored at 2021)'
        else ' or a financial quarter (2023-24 Q2, Q2 23/24)'
    end;
