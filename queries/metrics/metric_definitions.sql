-- Every metric definition, headline metrics first, then by name.
select * from metrics order by headline desc, name
