-- The number of live (non-Deleted) agents in each status, kept exact by a trigger, so that
-- `GET /agents` answers X-Total-Count in O(1) unfiltered and filtered by status alike
-- (docs/adr/0008-bounded-totals.md). Replaces `agent_live_counts` (migration 4), whose one
-- number served only the unfiltered list: its sum over every status is that number.
--
-- Each (status, shard) row holds a delta sum: a transaction adds to the rows of its backend's
-- shard (pg_backend_pid() % 16), so concurrent writers on different connections do not queue
-- on one row lock. A row may go negative (an agent created on one connection and deleted on
-- another); the sum of a status's rows is its count. Keyed by (status, shard) so that an
-- owning scope (an org) can join the key later.
--
-- Lock order: one trigger call touches at most two rows of one shard, the lower status first;
-- a transaction that changes several agents (the heartbeat monitor's expiry) moves them all
-- between the same two statuses, so two transactions never wait for each other in a cycle.

-- Writers wait while the counts are taken, so no agent written meanwhile is missed.
LOCK TABLE agents IN SHARE MODE;

DROP TRIGGER agents_count_truncate ON agents;
DROP FUNCTION agents_count_reset();
DROP TRIGGER agents_count_live ON agents;
DROP FUNCTION agents_count_live();
DROP TABLE agent_live_counts;

CREATE TABLE agent_status_counts (
    status text     NOT NULL CHECK (status <> 'Deleted'),
    shard  smallint NOT NULL CHECK (shard BETWEEN 0 AND 15),
    n      bigint   NOT NULL,
    PRIMARY KEY (status, shard)
);

INSERT INTO agent_status_counts (status, shard, n)
SELECT s.status, shard, COALESCE(c.n, 0) * (shard = 0)::int
  FROM unnest(ARRAY['BuildOnly', 'Failed', 'Ready', 'Unhealthy', 'Unknown']) AS s(status)
 CROSS JOIN generate_series(0, 15) AS shard
  LEFT JOIN (SELECT status, count(*) AS n FROM agents WHERE status <> 'Deleted' GROUP BY status) c
         ON c.status = s.status;

-- A row of a status the seed above does not know is created by the trigger's first write.
CREATE FUNCTION agents_count_by_status() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    me smallint := pg_backend_pid() % 16;
    gone text;
    came text;
    first_status text;
    first_delta bigint;
    second_status text;
    second_delta bigint;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status <> 'Deleted' THEN
        gone := OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status <> 'Deleted' THEN
        came := NEW.status;
    END IF;
    IF gone IS NOT DISTINCT FROM came THEN
        RETURN NULL;
    END IF;
    -- The lower status's row first (NULL: no row).
    IF came IS NULL OR (gone IS NOT NULL AND gone < came) THEN
        first_status := gone;  first_delta := -1;
        second_status := came; second_delta := 1;
    ELSE
        first_status := came;  first_delta := 1;
        second_status := gone; second_delta := -1;
    END IF;
    UPDATE agent_status_counts SET n = n + first_delta
     WHERE status = first_status AND shard = me;
    IF NOT FOUND THEN
        INSERT INTO agent_status_counts (status, shard, n) VALUES (first_status, me, first_delta)
            ON CONFLICT (status, shard) DO UPDATE SET n = agent_status_counts.n + first_delta;
    END IF;
    IF second_status IS NOT NULL THEN
        UPDATE agent_status_counts SET n = n + second_delta
         WHERE status = second_status AND shard = me;
        IF NOT FOUND THEN
            INSERT INTO agent_status_counts (status, shard, n)
                 VALUES (second_status, me, second_delta)
                ON CONFLICT (status, shard) DO UPDATE SET n = agent_status_counts.n + second_delta;
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER agents_count_by_status
    AFTER INSERT OR DELETE OR UPDATE OF status ON agents
    FOR EACH ROW EXECUTE FUNCTION agents_count_by_status();

CREATE FUNCTION agents_count_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE agent_status_counts SET n = 0;
    RETURN NULL;
END
$$;

CREATE TRIGGER agents_count_truncate
    AFTER TRUNCATE ON agents
    FOR EACH STATEMENT EXECUTE FUNCTION agents_count_reset();

-- A list filtered by one status, read in `updated_at` order (the default) from this index: a
-- page costs its own rows whether the status is common or rare (without it, a rare status
-- walked agents_live_updated_at_idx past every agent of the other statuses). Other orders
-- filtered by a rare status read that status's agents from here and sort them.
CREATE INDEX agents_live_status_updated_at_idx ON agents (status, updated_at, id)
    WHERE status <> 'Deleted';
