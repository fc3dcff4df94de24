"""Seed many agents with SQL, as the store's own create statement would have stored them.

Seeding 100,000 agents through the API would take minutes; one INSERT … SELECT over
generate_series takes seconds. The rows are what `POST /agents/register-build` and
`POST /agents/register` by the admin write (registry_store_pg/src/create_agent.rs): the agent
(no grant: the admin is nobody's owner) and its `created` event; a tenth of the registered
agents then expired by the heartbeat monitor (Unhealthy, with its `transition` event). The
per-status counts are added from the same rows in the same transaction (the count trigger is
off meanwhile: see the SQL), so the kept totals are what the trigger would have kept.
"""

import database

# Reasons exactly as registry_domain::state_machine spells them.
REASON_BUILD = "Agent build registered; not yet deployed."
REASON_REGISTERED = "Agent registered successfully."
REASON_EXPIRED = "Agent heartbeat expired."

# Status of bulk agent n: 3 in 10 BuildOnly, 1 in 10 Unhealthy, the rest Ready.
_STATUS = "CASE WHEN n % 10 < 3 THEN 'BuildOnly' WHEN n % 10 = 9 THEN 'Unhealthy' ELSE 'Ready' END"

TEAMS = 50  # card metadata `team`: team-0 … team-49, one agent in 50 each


def expected_counts(agents: int) -> dict:
    """How many bulk agents each status holds (the kept totals the lists must report)."""
    counts = {"BuildOnly": 0, "Ready": 0, "Unhealthy": 0}
    for n in range(1, agents + 1):
        r = n % 10
        counts["BuildOnly" if r < 3 else "Unhealthy" if r == 9 else "Ready"] += 1
    return counts


def seed(url: str, agents: int) -> None:
    """Insert `agents` agents bulk-1 … bulk-N with their events, then VACUUM ANALYZE."""
    sql = f"""
BEGIN;
CREATE TEMP TABLE bulk_seed ON COMMIT DROP AS
SELECT n, gen_random_uuid() AS id, {_STATUS} AS status,
       now() - make_interval(secs => ({agents} - n) * 0.001) AS at
  FROM generate_series(1, {agents}) AS n;
-- The count trigger would update its shard's rows once per agent inside this one transaction,
-- each update walking the row's ever longer chain of versions (quadratic: 78 s for 100,000);
-- the counts are added below from the same rows instead, as the migration's backfill does.
ALTER TABLE agents DISABLE TRIGGER agents_count_by_status;
INSERT INTO agents (id, name, description, status, status_reason, acp_type, acp_url,
                    registration_metadata, agent_input_type, production_deployment_id,
                    created_at, updated_at, registered_at, last_seen_at, deleted_at, deleted_by,
                    version, org_id)
SELECT id, 'bulk-' || n, 'seeded agent', status,
       CASE status WHEN 'BuildOnly' THEN '{REASON_BUILD}' WHEN 'Ready' THEN '{REASON_REGISTERED}'
                   ELSE '{REASON_EXPIRED}' END,
       'async',
       CASE WHEN status = 'BuildOnly' THEN NULL ELSE 'http://bulk-' || n || ':8000' END,
       jsonb_build_object('agent_card', jsonb_build_object('metadata',
           jsonb_build_object('team', 'team-' || (n % {TEAMS}), 'tier', n % 3))),
       NULL, NULL,
       at,
       CASE WHEN status = 'Unhealthy' THEN at + interval '10 minutes' ELSE at END,
       CASE WHEN status = 'BuildOnly' THEN NULL ELSE at END,
       CASE WHEN status = 'Unhealthy' THEN at + interval '1 minute' ELSE NULL END,
       NULL, NULL,
       CASE WHEN status = 'Unhealthy' THEN 2 ELSE 1 END, '00000000-0000-0000-0000-000000000001'
  FROM bulk_seed ORDER BY n;
-- One transaction writes every event: each takes its own ordinal in it (the feed position,
-- ADR 0010): the created events 0 … N-1, the transitions after them.
INSERT INTO agent_events (seq, agent_id, kind, from_status, to_status, actor, at, detail, org_id)
SELECT agent_event_seq((n - 1)::int), id, 'created', NULL, CASE WHEN status = 'BuildOnly' THEN 'BuildOnly' ELSE 'Ready' END,
       'admin', at,
       jsonb_build_object('reason', CASE WHEN status = 'BuildOnly' THEN '{REASON_BUILD}'
                                         ELSE '{REASON_REGISTERED}' END), '00000000-0000-0000-0000-000000000001'
  FROM bulk_seed ORDER BY n;
INSERT INTO agent_events (seq, agent_id, kind, from_status, to_status, actor, at, detail, org_id)
SELECT agent_event_seq(({agents} + n - 1)::int), id, 'transition', 'Ready', 'Unhealthy', 'system', at + interval '10 minutes',
       jsonb_build_object('reason', '{REASON_EXPIRED}'), '00000000-0000-0000-0000-000000000001'
  FROM bulk_seed WHERE status = 'Unhealthy' ORDER BY n;
ALTER TABLE agents ENABLE TRIGGER agents_count_by_status;
INSERT INTO agent_status_counts AS c (org_id, status, shard, n)
SELECT '00000000-0000-0000-0000-000000000001', status, 0, count(*) FROM bulk_seed GROUP BY status
    ON CONFLICT (org_id, status, shard) DO UPDATE SET n = c.n + excluded.n;
COMMIT;
"""
    database.psql(url, sql, timeout=900)
    for table in ("agents", "agent_events", "agent_status_counts"):
        database.vacuum(url, table)


def sample(url: str, limit: int) -> list:
    """`limit` bulk agents drawn at random, as (id, name) pairs, for the GET-by-id row (a Lua
    data file of every id of 100,000 agents would pass LuaJIT's constants per function)."""
    out = database.psql(
        url,
        f"SELECT id, name FROM agents WHERE name LIKE 'bulk-%' ORDER BY random() LIMIT {int(limit)}",
    )
    return [tuple(line.split("|")) for line in out.splitlines()]
