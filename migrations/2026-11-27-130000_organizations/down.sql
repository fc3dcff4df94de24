-- Back to one flat namespace. Refused while any org other than `default` exists: merging orgs
-- could make two live agents share a name, and dropping them would lose data.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM orgs WHERE id <> '00000000-0000-0000-0000-000000000001') THEN
        RAISE EXCEPTION 'delete every org but default before reverting the organizations migration';
    END IF;
END
$$;

-- Every table altered here, locked at once up front (each ALTER would take it anyway; taking
-- them one by one could deadlock with a running writer).
LOCK TABLE agents, deployments, deployment_history, agent_api_keys, grants, agent_events,
    service_tokens IN ACCESS EXCLUSIVE MODE;

DROP TRIGGER agents_count_truncate ON agents;
DROP FUNCTION agents_count_reset();
DROP TRIGGER agents_count_by_status ON agents;
DROP FUNCTION agents_count_by_status();
DROP TABLE agent_status_counts;

-- Migration 2026-11-27-120000's per-status counts, rebuilt from the agents.
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
    IF came IS NULL OR (gone IS NOT NULL AND gone < came) THEN
        first_status := gone;  first_delta := -1;
        second_status := came; second_delta := 1;
    ELSE
        first_status := came;  first_delta := 1;
        second_status := gone; second_delta := -1;
    END IF;
    INSERT INTO agent_status_counts AS c (status, shard, n) VALUES (first_status, me, first_delta)
    ON CONFLICT (status, shard) DO UPDATE SET n = c.n + first_delta;
    IF second_status IS NOT NULL THEN
        INSERT INTO agent_status_counts AS c (status, shard, n) VALUES (second_status, me, second_delta)
        ON CONFLICT (status, shard) DO UPDATE SET n = c.n + second_delta;
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

DROP INDEX service_tokens_principal_idx;
CREATE INDEX service_tokens_principal_idx ON service_tokens (principal);
DELETE FROM service_tokens WHERE principal LIKE 'admin:%';
ALTER TABLE service_tokens DROP CONSTRAINT service_tokens_principal_check,
    ADD CONSTRAINT service_tokens_principal_check CHECK (principal ~ '^(user|service):.+$');
ALTER TABLE service_tokens DROP CONSTRAINT service_tokens_name_key,
    ADD CONSTRAINT service_tokens_name_key UNIQUE (name);
ALTER TABLE service_tokens DROP COLUMN org_id;

CREATE OR REPLACE FUNCTION agent_events_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'agent_events is append-only (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

DROP INDEX grants_principal_idx;
CREATE INDEX grants_principal_idx ON grants (principal, agent_id);
ALTER TABLE agent_api_keys DROP CONSTRAINT agent_api_keys_agent_name_type_key,
    ADD CONSTRAINT agent_api_keys_agent_name_type_key UNIQUE (agent_id, name, api_key_type);
ALTER TABLE agent_events DROP CONSTRAINT agent_events_agent_org_fkey,
    ADD CONSTRAINT agent_events_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES agents (id);
ALTER TABLE agent_events DROP COLUMN org_id;
ALTER TABLE grants DROP CONSTRAINT grants_agent_org_fkey,
    ADD CONSTRAINT grants_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES agents (id);
ALTER TABLE grants DROP COLUMN org_id;
ALTER TABLE agent_api_keys DROP CONSTRAINT agent_api_keys_agent_org_fkey,
    ADD CONSTRAINT agent_api_keys_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES agents (id);
ALTER TABLE agent_api_keys DROP COLUMN org_id;
ALTER TABLE deployment_history DROP CONSTRAINT deployment_history_agent_org_fkey,
    ADD CONSTRAINT deployment_history_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES agents (id);
ALTER TABLE deployment_history DROP COLUMN org_id;
ALTER TABLE deployments DROP CONSTRAINT deployments_agent_org_fkey,
    ADD CONSTRAINT deployments_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES agents (id);
ALTER TABLE deployments DROP COLUMN org_id;
ALTER TABLE agents DROP CONSTRAINT agents_id_org_key;

DROP INDEX agents_org_idx;
DROP INDEX agents_live_last_seen_idx;
CREATE INDEX agents_live_last_seen_idx ON agents (last_seen_at DESC NULLS LAST, id DESC)
    WHERE status <> 'Deleted';
DROP INDEX agents_live_created_at_idx;
CREATE INDEX agents_live_created_at_idx ON agents (created_at, id) WHERE status <> 'Deleted';
DROP INDEX agents_live_updated_at_idx;
CREATE INDEX agents_live_updated_at_idx ON agents (updated_at, id) WHERE status <> 'Deleted';
DROP INDEX agents_live_status_updated_at_idx;
CREATE INDEX agents_live_status_updated_at_idx ON agents (status, updated_at, id)
    WHERE status <> 'Deleted';
DROP INDEX agents_live_name_key;
CREATE UNIQUE INDEX agents_live_name_key ON agents (name) WHERE status <> 'Deleted';
ALTER TABLE agents DROP COLUMN org_id;

DROP TABLE orgs;
