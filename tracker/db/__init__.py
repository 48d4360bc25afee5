"""The DuckDB database: `build` makes it from the plans (`tables`) and extracts, atomically,
reading the plans in a child process where it may (`forking`) and carrying forward the
objectives of files that cannot be read (`carry`); `sources` says whether it is current;
`serving` decides when to build and what readers get meanwhile, with `failures` recording a
failed build; `queries` runs the named SQL in `queries/`.
"""
