-- Why a row of an extract cannot be loaded, or null if it can: every problem that applies,
-- joined with "; ", so that one look at a row shows all that is wrong with it.
-- (Repeats and clashes of the same metric, organisation and period are found afterwards,
-- among the rows that pass: see repeats.sql.) `number_problem` lists the columns that hold
-- text where a number should be (already joined with "; "); an empty value is a problem
-- of its own only when nothing else explains it.
-- (The first test is the quick one most rows pass: only a row with a problem builds text.)
create or replace macro row_problem(period, period_text, frequency, org, number_problem, ratio,
                                    denominator, value) as
    case when period is null or org is null or number_problem is not null
              or (ratio and (denominator = 0 or not isfinite(denominator)))
              or value is null or isnan(value) or isinf(value) then
    nullif(concat_ws('; ',
        case when period is null then 'period ''' || coalesce(period_text, '')
            || ''' is not one ' || case when frequency = 'annual' then 'an ' else 'a ' end || frequency
            || ' metric reads: write ' || period_forms(frequency)
        end,
        case when org is null then 'no organisation code' end,
        nullif(number_problem, ''),
        case when ratio and denominator = 0 then 'the denominator is zero' end,
        case when ratio and not isfinite(denominator) then 'the denominator is not a finite number' end,
        case when value is null and nullif(number_problem, '') is null
                  and not coalesce(ratio and (denominator = 0 or not isfinite(denominator)), false)
            then 'no value: the value is empty' end,
        case when isnan(value) or isinf(value)
            then 'the value is not a finite number (a division by zero?)' end
    ), '')
    end;
