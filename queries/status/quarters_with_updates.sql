-- The quarters that have at least one update, newest first, with whether any is an example.
select quarter, max(quarter_end) as quarter_end, bool_or(is_example) as has_examples
from updates
group by quarter
order by quarter_end desc
