-- Organizations (contract §9, docs/adr/0006-organizations.md): every tenant-owned row belongs to
-- one org and carries its `org_id` (agents, service tokens, and an agent's deployments,
-- history, keys, grants and events), so every statement filters by it without a join.
-- Everything that exists now goes to the org `default`, with a fixed id.

-- Every table altered here, locked at once up front (each ALTER would take it anyway; taking
-- them one by one could deadlock with a running writer).
LOCK TABLE agents, deployments, deployment_history, agent_api_keys, grants, agent_events,
    service_tokens IN ACCESS EXCLUSIVE MODE;

CREATE TABLE orgs (
    id           uuid        PRIMARY KEY,
    slug         text        COLLATE "C" NOT NULL CONSTRAINT orgs_slug_format
        CHECK (slug ~ '^[a-z0-9-]{1,63}$'),
    display_name text        NOT NULL CONSTRAINT orgs_display_name_length
        CHECK (char_length(display_name) BETWEEN 1 AND 255),
    max_agents   integer     CONSTRAINT orgs_max_agents_non_negative CHECK (max_agents >= 0),
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT orgs_slug_key UNIQUE (slug)
);

INSERT INTO orgs (id, slug, display_name, max_agents, created_at, updated_at)
VALUES ('00000000-0000-0000-0000-000000000001', 'default', 'Default', NULL, now(), now());

-- Agents: their org, the live-name rule and the list indexes per org. No lasting default: a
-- statement that forgets the org fails instead of writing into `default`.
ALTER TABLE agents ADD COLUMN org_id uuid NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000001'
    CONSTRAINT agents_org_fkey REFERENCES orgs (id) ON DELETE CASCADE;
ALTER TABLE agents ALTER COLUMN org_id DROP DEFAULT;

DROP INDEX agents_live_name_key;
CREATE UNIQUE INDEX agents_live_name_key ON agents (org_id, name) WHERE status <> 'Deleted';
DROP INDEX agents_live_updated_at_idx;
CREATE INDEX agents_live_updated_at_idx ON agents (org_id, updated_at, id) WHERE status <> 'Deleted';
DROP INDEX agents_live_status_updated_at_idx;
CREATE INDEX agents_live_status_updated_at_idx ON agents (org_id, status, updated_at, id)
    WHERE status <> 'Deleted';
DROP INDEX agents_live_created_at_idx;
CREATE INDEX agents_live_created_at_idx ON agents (org_id, created_at, id) WHERE status <> 'Deleted';
DROP INDEX agents_live_last_seen_idx;
CREATE INDEX agents_live_last_seen_idx ON agents (org_id, last_seen_at DESC NULLS LAST, id DESC)
    WHERE status <> 'Deleted';
-- Every Deleted agent of an org, for deleting the org.
CREATE INDEX agents_org_idx ON agents (org_id);

-- An agent's rows (deployments, history, keys, grants, events) carry its org too, and the pair
-- (agent_id, org_id) references the agent: a row can never sit in another org than its agent,
-- and a write naming another org's agent fails its foreign key (NotFound). They go with the
-- agent when an org is deleted (agents are never hard-deleted otherwise). Existing rows get
-- `default` as a constant default (no table rewrite, no row trigger), then the default goes.
ALTER TABLE agents ADD CONSTRAINT agents_id_org_key UNIQUE (id, org_id);

ALTER TABLE deployments ADD COLUMN org_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000001';
ALTER TABLE deployments ALTER COLUMN org_id DROP DEFAULT;
ALTER TABLE deployments DROP CONSTRAINT deployments_agent_id_fkey,
    ADD CONSTRAINT deployments_agent_org_fkey FOREIGN KEY (agent_id, org_id)
        REFERENCES agents (id, org_id) ON DELETE CASCADE;

ALTER TABLE deployment_history ADD COLUMN org_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000001';
ALTER TABLE deployment_history ALTER COLUMN org_id DROP DEFAULT;
ALTER TABLE deployment_history DROP CONSTRAINT deployment_history_agent_id_fkey,
    ADD CONSTRAINT deployment_history_agent_org_fkey FOREIGN KEY (agent_id, org_id)
        REFERENCES agents (id, org_id) ON DELETE CASCADE;

-- A key name is unique per agent; org_id is part of the key so that a create naming another
-- org's agent fails on the agent (NotFound), never on that agent's key names (a Conflict would
-- reveal them).
ALTER TABLE agent_api_keys ADD COLUMN org_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000001';
ALTER TABLE agent_api_keys ALTER COLUMN org_id DROP DEFAULT;
ALTER TABLE agent_api_keys DROP CONSTRAINT agent_api_keys_agent_id_fkey,
    ADD CONSTRAINT agent_api_keys_agent_org_fkey FOREIGN KEY (agent_id, org_id)
        REFERENCES agents (id, org_id) ON DELETE CASCADE;
ALTER TABLE agent_api_keys DROP CONSTRAINT agent_api_keys_agent_name_type_key,
    ADD CONSTRAINT agent_api_keys_agent_name_type_key UNIQUE (agent_id, name, api_key_type, org_id);

ALTER TABLE grants ADD COLUMN org_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000001';
ALTER TABLE grants ALTER COLUMN org_id DROP DEFAULT;
ALTER TABLE grants DROP CONSTRAINT grants_agent_id_fkey,
    ADD CONSTRAINT grants_agent_org_fkey FOREIGN KEY (agent_id, org_id)
        REFERENCES agents (id, org_id) ON DELETE CASCADE;
-- A principal's grants in one org (the list filter `granted_to`).
DROP INDEX grants_principal_idx;
CREATE INDEX grants_principal_idx ON grants (org_id, principal, agent_id);

ALTER TABLE agent_events ADD COLUMN org_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000001';
ALTER TABLE agent_events ALTER COLUMN org_id DROP DEFAULT;
ALTER TABLE agent_events DROP CONSTRAINT agent_events_agent_id_fkey,
    ADD CONSTRAINT agent_events_agent_org_fkey FOREIGN KEY (agent_id, org_id)
        REFERENCES agents (id, org_id) ON DELETE CASCADE;

-- The audit trail stays append-only, except that an org's deletion takes its agents' events
-- with them (the cascade runs after the agent row is gone).
CREATE OR REPLACE FUNCTION agent_events_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM agents WHERE id = OLD.agent_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'agent_events is append-only (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

-- Service tokens: one org each, names unique per org, org admins (`admin:<name>`).
ALTER TABLE service_tokens ADD COLUMN org_id uuid NOT NULL
    DEFAULT '00000000-0000-0000-0000-000000000001'
    CONSTRAINT service_tokens_org_fkey REFERENCES orgs (id) ON DELETE CASCADE;
ALTER TABLE service_tokens ALTER COLUMN org_id DROP DEFAULT;
ALTER TABLE service_tokens DROP CONSTRAINT service_tokens_name_key,
    ADD CONSTRAINT service_tokens_name_key UNIQUE (org_id, name);
ALTER TABLE service_tokens DROP CONSTRAINT service_tokens_principal_check,
    ADD CONSTRAINT service_tokens_principal_check CHECK (principal ~ '^(user|service|admin):.+$');
DROP INDEX service_tokens_principal_idx;
CREATE INDEX service_tokens_principal_idx ON service_tokens (org_id, principal);

-- The kept live counts, per org and status (sharded as before).
DROP TRIGGER agents_count_truncate ON agents;
DROP FUNCTION agents_count_reset();
DROP TRIGGER agents_count_by_status ON agents;
DROP FUNCTION agents_count_by_status();
DROP TABLE agent_status_counts;

CREATE TABLE agent_status_counts (
    org_id uuid     NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    status text     NOT NULL CHECK (status <> 'Deleted'),
    shard  smallint NOT NULL CHECK (shard BETWEEN 0 AND 15),
    n      bigint   NOT NULL,
    PRIMARY KEY (org_id, status, shard)
);

INSERT INTO agent_status_counts (org_id, status, shard, n)
SELECT org_id, status, 0, count(*) FROM agents WHERE status <> 'Deleted' GROUP BY org_id, status;

-- One trigger call touches at most two rows of one (org, shard), the lower status first, so two
-- transactions never wait for each other in a cycle (see migration 2026-11-27-120000).
CREATE FUNCTION agents_count_by_status() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    me smallint := pg_backend_pid() % 16;
    org uuid := COALESCE(NEW.org_id, OLD.org_id);
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
    INSERT INTO agent_status_counts AS c (org_id, status, shard, n)
         VALUES (org, first_status, me, first_delta)
    ON CONFLICT (org_id, status, shard) DO UPDATE SET n = c.n + first_delta;
    IF second_status IS NOT NULL THEN
        INSERT INTO agent_status_counts AS c (org_id, status, shard, n)
             VALUES (org, second_status, me, second_delta)
        ON CONFLICT (org_id, status, shard) DO UPDATE SET n = c.n + second_delta;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER agents_count_by_status
    AFTER INSERT OR DELETE OR UPDATE OF status ON agents
    FOR EACH ROW EXECUTE FUNCTION agents_count_by_status();

CREATE FUNCTION agents_count_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM agent_status_counts;
    RETURN NULL;
END
$$;

CREATE TRIGGER agents_count_truncate
    AFTER TRUNCATE ON agents
    FOR EACH STATEMENT EXECUTE FUNCTION agents_count_reset();
