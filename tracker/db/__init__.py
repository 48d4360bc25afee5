"""The DuckDB database: `build` makes it from the plans and extracts, atomically, and serves
the last good one; `queries` runs the named SQL in `queries/`; `forking` decides when a build
may use a child process.
"""
