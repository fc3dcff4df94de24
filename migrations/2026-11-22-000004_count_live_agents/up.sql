-- The number of live (non-Deleted) agents, kept exact by a trigger, so that an unfiltered
-- `GET /agents` answers X-Total-Count without visiting every live agent.
--
-- The count is split over 16 rows: each transaction adds its delta to the row chosen by its
-- backend's pid, so concurrent creates on different connections do not queue on one row lock.
-- Rows may go negative (an agent created on one connection and deleted on another); their
-- sum is the count.
CREATE TABLE agent_live_counts (
    shard smallint PRIMARY KEY CHECK (shard BETWEEN 0 AND 15),
    n     bigint   NOT NULL
);

INSERT INTO agent_live_counts (shard, n) SELECT s, 0 FROM generate_series(0, 15) AS s;
UPDATE agent_live_counts
   SET n = (SELECT count(*) FROM agents WHERE status <> 'Deleted')
 WHERE shard = 0;

CREATE FUNCTION agents_count_live() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta bigint := 0;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status <> 'Deleted' THEN
        delta := delta - 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status <> 'Deleted' THEN
        delta := delta + 1;
    END IF;
    IF delta <> 0 THEN
        UPDATE agent_live_counts SET n = n + delta WHERE shard = pg_backend_pid() % 16;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER agents_count_live
    AFTER INSERT OR DELETE OR UPDATE OF status ON agents
    FOR EACH ROW EXECUTE FUNCTION agents_count_live();

CREATE FUNCTION agents_count_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE agent_live_counts SET n = 0;
    RETURN NULL;
END
$$;

CREATE TRIGGER agents_count_truncate
    AFTER TRUNCATE ON agents
    FOR EACH STATEMENT EXECUTE FUNCTION agents_count_reset();
