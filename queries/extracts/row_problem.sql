-- Why a row of an extract cannot be loaded, or null if it can: the first of these that applies.
-- (Repeats and clashes of the same metric, organisation and period are found afterwards,
-- among the rows that pass: see repeats.sql.)
create or replace macro row_problem(period, period_text, org, number_problem, ratio, denominator, value) as
    case
        when period is null then 'period ''' || coalesce(period_text, '')
            || ''' is not a date, month (2023-04, Apr-23, April 2023) or financial quarter '
            || '(2023-24 Q2, Q2 23/24)'
        when org is null then 'no organisation code'
        when number_problem is not null then number_problem
        when ratio and denominator = 0 then 'the denominator is zero'
        when ratio and not isfinite(denominator) then 'the denominator is not a finite number'
        when value is null then 'no value: the value is empty'
        when isnan(value) or isinf(value) then 'the value is not a finite number (a division by zero?)'
    end;
