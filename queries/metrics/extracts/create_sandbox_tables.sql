-- The period texts of an extract, each parsed once (period_lookup.sql fills it).
create table period_lookup (
    period_column varchar not null,
    frequency varchar not null,
    period_text varchar,
    period date,
    pooled boolean  -- a pooled run (2019 - 21, 2018/19 - 20/21), whose words are kept as its label
);
