-- Problems found in the source files at the last build, by file and line.
select path, line, message from problems order by path, line nulls first, message
