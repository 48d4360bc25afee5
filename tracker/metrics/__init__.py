"""The metrics: analysts' definitions and their extracts, as published, loaded as values.

`definitions` is how a metric is described in YAML; `sqlguard` keeps analysts' SQL to an
expression over their columns; `readers` and `layouts` read workbooks and CSVs in the
publishers' own layouts; `extracts` loads them into one long table, row by row, rejecting
what it cannot read (`rejects` reads those back); `scorecard` judges each metric as at a date.

`extracts` is the loading's entry point; its steps are `sandbox` (one extract's locked
DuckDB and its limits), `extract_reading` and `row_numbers` (a file into the sandbox, rows
numbered as in the file), `metric_sql` and `judging` (each metric's SQL, every row loaded or
rejected), `metric_tables` (written into the build) and `extract_report` (what happened to
each file); `sql_quoting` is how names and texts go into their SQL.
"""
