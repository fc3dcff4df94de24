-- Floor for GET /agents/name/{name}, repeated register-build and PUT unchanged: one live agent by
-- name (seeded names are 'seed-<n>') in the bench's org, through the partial unique index on
-- live names per org.
\set n random(1, :nseed)
SELECT * FROM agents
 WHERE org_id = (SELECT id FROM orgs WHERE slug = 'bench') AND name = 'seed-' || :n::text AND status <> 'Deleted';
