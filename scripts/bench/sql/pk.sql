-- Floor for GET /agents/{id}: one row by primary key (a numbered copy of the live agents, so a
-- random integer picks a random seeded agent; same columns as agents).
\set n random(1, :nseed)
SELECT * FROM bench_agents_numbered WHERE n = :n;
