-- When the database was built, from what, and whether example data is in it.
select built_at, example_data, source_signature, problem_count from build_info
