-- The change feed (contract §10, ADR 0010): every event gets `seq`, its position in its org's
-- feed, and readers are shown only the events below a watermark that no writer still in
-- flight can commit under.
--
-- seq = (xid of the writing transaction << 20) + the event's ordinal in that transaction.
-- Every transaction below the oldest one still running has finished, so the events below
-- (that xid << 20) are a prefix of the feed that can no longer grow: a reader
-- paging `after=` through it never skips an event committed late. Writers take no shared lock
-- (a per-org counter row measured 5-6x slower on this write path).

LOCK TABLE agent_events IN ACCESS EXCLUSIVE MODE;

-- The seq of the event with `ordinal` (0-based, unique within the writing transaction); NULL
-- (refused by NOT NULL) outside 0..2^20, so an ordinal can never spill into another
-- transaction's range.
CREATE FUNCTION agent_event_seq(ordinal integer) RETURNS bigint
    LANGUAGE sql VOLATILE PARALLEL UNSAFE AS $$
    SELECT (pg_current_xact_id()::text::bigint << 20) + ordinal
     WHERE ordinal >= 0 AND ordinal < 1048576
$$;

-- The feed's watermark for the current statement: every event with a smaller seq has
-- committed (or never will), and none can appear below it any more. It is the oldest
-- transaction still running in this statement's snapshot, or the snapshot's xmax when none
-- is. A transaction that pg_stat_activity shows in ANOTHER database is left out (it cannot
-- write these rows), so a long transaction elsewhere on the cluster (CREATE DATABASE, a batch
-- job) does not hold the feed back; any transaction not proven to be elsewhere (ours, one
-- that ended since the snapshot, one whose row this role may not read) counts, which can
-- only lower the watermark.
CREATE FUNCTION agent_events_watermark() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL RESTRICTED AS $$
    SELECT coalesce(
        (SELECT min(x) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
          WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                             WHERE a.backend_xid = xid(x)
                               AND a.datname IS DISTINCT FROM current_database())),
        pg_snapshot_xmax(pg_current_snapshot()))::text::bigint << 20
$$;

-- Existing events keep their order: seq = id, all below any seq written from now on (checked).
ALTER TABLE agent_events ADD COLUMN seq bigint;
ALTER TABLE agent_events DISABLE TRIGGER agent_events_append_only;
UPDATE agent_events SET seq = id;
ALTER TABLE agent_events ENABLE TRIGGER agent_events_append_only;
DO $$
BEGIN
    IF (SELECT max(seq) FROM agent_events) >= agent_events_watermark() THEN
        RAISE EXCEPTION 'agent_events ids reach the first feed position; cannot number the feed';
    END IF;
END
$$;

-- Writers pass their ordinals; the default serves a transaction writing one event (a second
-- event of the same transaction on the default collides on the unique index below: loud).
ALTER TABLE agent_events ALTER COLUMN seq SET DEFAULT agent_event_seq(0),
    ALTER COLUMN seq SET NOT NULL;

-- The feed of one org in order; also what makes a position unique.
CREATE UNIQUE INDEX agent_events_org_seq_idx ON agent_events (org_id, seq);
