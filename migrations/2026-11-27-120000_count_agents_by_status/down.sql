-- Back to migration 4's single live count, taken from the per-status counts.
LOCK TABLE agents IN SHARE MODE;

DROP INDEX agents_live_status_updated_at_idx;

DROP TRIGGER agents_count_truncate ON agents;
DROP FUNCTION agents_count_reset();
DROP TRIGGER agents_count_by_status ON agents;
DROP FUNCTION agents_count_by_status();

CREATE TABLE agent_live_counts (
    shard smallint PRIMARY KEY CHECK (shard BETWEEN 0 AND 15),
    n     bigint   NOT NULL
);

INSERT INTO agent_live_counts (shard, n) SELECT s, 0 FROM generate_series(0, 15) AS s;
UPDATE agent_live_counts
   SET n = (SELECT COALESCE(sum(n), 0) FROM agent_status_counts)
 WHERE shard = 0;

DROP TABLE agent_status_counts;

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
