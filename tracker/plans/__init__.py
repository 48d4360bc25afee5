"""The plans: objectives, milestones and leads' updates as YAML, read, checked and written.

`models` is the typed shape of a plan; `yamlio` reads YAML remembering each value's line;
`catalogue` loads every plan under `objectives/` and checks the links between them;
`validation` turns validation errors into words a lead can act on; `editing` writes an update
back into its file without disturbing it, splicing the new lines in (`splicing`) and writing
only what the build accepts (`checked_write`), or refusing with a reason (`refusals`);
`schema` publishes the JSON Schemas; `problems` is how a problem in a source file is reported
(`path:line: message`).
"""
