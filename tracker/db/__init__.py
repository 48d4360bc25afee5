"""The DuckDB database: `build` makes it from the plans (`tables`) and extracts, atomically,
reading the plans in a child process where it may (`forking`) and carrying forward the
objectives of files that cannot be read (`carry`). A build redoes only what changed:
`changes` compares each input's fingerprint with the last build's, `incremental` brings a
copy of the last file up to date (`plan_folders`: only the plans whose files changed), and
with nothing changed nothing is written. `sources` says whether the database is current;
`summary` is what a build reports; `serving` decides when to build and what readers get
meanwhile, with `failures` recording a failed build; `queries` runs the named SQL in `queries/`.
"""
