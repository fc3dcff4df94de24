-- Floor for POST /agents/{id}/heartbeat (no status change): the server's own write, one
-- single-row UPDATE of last_seen_at by primary key on `agents` itself, conditioned on the status
-- and returning the row (crates/registry_store_pg/src/heartbeats.rs). The heartbeating agents'
-- uuids are numbered in bench_heartbeat_ids so a random integer picks one (one index probe of a
-- 1,000-row table inside the same statement). Seeded agents are BuildOnly.
\set n random(1, :nheart)
UPDATE agents SET last_seen_at = now()
 WHERE id = (SELECT id FROM bench_heartbeat_ids WHERE n = :n) AND status = 'BuildOnly'
RETURNING *;
