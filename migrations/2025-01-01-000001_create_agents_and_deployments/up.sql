-- Agents, their deployments and the deployment history.
-- Enumerations are text with CHECK constraints holding exactly the domain's wire spellings
-- (registry_domain::enums); a test compares the agent status set with AgentStatus::ALL.

CREATE TABLE agents (
    id                       uuid        PRIMARY KEY,
    name                     text        COLLATE "C" NOT NULL CONSTRAINT agents_name_format CHECK (name ~ '^[a-z0-9-]{1,63}$'),
    description              text        NOT NULL DEFAULT '',
    status                   text        NOT NULL CONSTRAINT agents_status_check
        CHECK (status IN ('Ready', 'Failed', 'Unknown', 'Deleted', 'Unhealthy', 'BuildOnly')),
    status_reason            text,
    acp_type                 text        NOT NULL DEFAULT 'async' CONSTRAINT agents_acp_type_check
        CHECK (acp_type IN ('sync', 'async', 'agentic')),
    acp_url                  text,
    registration_metadata    jsonb       CONSTRAINT agents_registration_metadata_object
        CHECK (registration_metadata IS NULL OR jsonb_typeof(registration_metadata) = 'object'),
    agent_input_type         text        CONSTRAINT agents_agent_input_type_check
        CHECK (agent_input_type IN ('text', 'json')),
    production_deployment_id uuid,
    created_at               timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL,
    registered_at            timestamptz,
    last_seen_at             timestamptz,
    deleted_at               timestamptz,
    deleted_by               text,
    version                  bigint      NOT NULL CONSTRAINT agents_version_positive CHECK (version >= 1)
);

-- Names are unique among non-Deleted agents; also serves "live agent by name" and ORDER BY name.
CREATE UNIQUE INDEX agents_live_name_key ON agents (name) WHERE status <> 'Deleted';
-- Agent lists, ordered by a timestamp with the id as tiebreak.
CREATE INDEX agents_live_updated_at_idx ON agents (updated_at, id) WHERE status <> 'Deleted';
CREATE INDEX agents_live_created_at_idx ON agents (created_at, id) WHERE status <> 'Deleted';
-- The card-metadata filter: registration_metadata -> 'agent_card' -> 'metadata' @> $1.
CREATE INDEX agents_card_metadata_idx ON agents
    USING gin ((registration_metadata -> 'agent_card' -> 'metadata') jsonb_path_ops);
-- The heartbeat monitor: status = $from AND last_seen_at < $cutoff.
CREATE INDEX agents_status_last_seen_idx ON agents (status, last_seen_at)
    WHERE last_seen_at IS NOT NULL;

CREATE TABLE deployments (
    id                    uuid        PRIMARY KEY,
    agent_id              uuid        NOT NULL REFERENCES agents (id),
    docker_image          text        NOT NULL,
    registration_metadata jsonb       CONSTRAINT deployments_registration_metadata_object
        CHECK (registration_metadata IS NULL OR jsonb_typeof(registration_metadata) = 'object'),
    status                text        NOT NULL CONSTRAINT deployments_status_check
        CHECK (status IN ('Pending', 'Ready', 'Failed')),
    acp_url               text,
    is_production         boolean     NOT NULL DEFAULT false,
    sgp_deploy_id         text,
    helm_release_name     text,
    created_at            timestamptz NOT NULL,
    promoted_at           timestamptz,
    expires_at            timestamptz,
    -- Target of agents' composite foreign key: a production deployment is the agent's own.
    CONSTRAINT deployments_id_agent_key UNIQUE (id, agent_id)
);

-- At most one production deployment per agent.
CREATE UNIQUE INDEX deployments_one_production_per_agent ON deployments (agent_id) WHERE is_production;
-- The agent's live deployments by created_at (id tiebreak); also any lookup by agent.
CREATE INDEX deployments_agent_created_idx ON deployments (agent_id, created_at, id) WHERE expires_at IS NULL;
CREATE INDEX deployments_agent_idx ON deployments (agent_id);

ALTER TABLE agents
    ADD CONSTRAINT agents_production_deployment_fkey
    FOREIGN KEY (production_deployment_id, id) REFERENCES deployments (id, agent_id);

CREATE TABLE deployment_history (
    id                   uuid        PRIMARY KEY,
    agent_id             uuid        NOT NULL REFERENCES agents (id),
    author_name          text        NOT NULL,
    author_email         text        NOT NULL,
    branch_name          text        NOT NULL,
    build_timestamp      timestamptz NOT NULL,
    deployment_timestamp timestamptz NOT NULL,
    commit_hash          text        NOT NULL
);

-- The agent's history by deployment_timestamp (id tiebreak), and its latest row.
CREATE INDEX deployment_history_agent_time_idx ON deployment_history (agent_id, deployment_timestamp, id);
