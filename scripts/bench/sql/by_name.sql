-- Floor for GET /agents/name/{name}, repeated register-build and PUT unchanged: one live agent by
-- name (seeded names are 'seed-<n>'), through the partial unique index on live names.
\set n random(1, :nseed)
SELECT * FROM agents WHERE name = 'seed-' || :n::text AND status <> 'Deleted';
