"""The metrics: analysts' definitions and their extracts, as published, loaded as values.

`definitions` is how a metric is described in YAML; `sqlguard` keeps analysts' SQL to an
expression over their columns; `readers` and `layouts` read workbooks and CSVs in the
publishers' own layouts; `extracts` loads them into one long table, row by row, rejecting
what it cannot read (`rejects` reads those back); `scorecard` judges each metric as at a date.
"""
