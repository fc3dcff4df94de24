-- Credentials (stored by keyed hash only) and the grants behind authorization.

CREATE TABLE agent_api_keys (
    id           uuid        PRIMARY KEY,
    agent_id     uuid        NOT NULL REFERENCES agents (id),
    name         text        NOT NULL,
    api_key_type text        NOT NULL CONSTRAINT agent_api_keys_type_check
        CHECK (api_key_type IN ('internal', 'external', 'github', 'slack')),
    secret_hash  text        NOT NULL,
    created_at   timestamptz NOT NULL,
    CONSTRAINT agent_api_keys_agent_name_type_key UNIQUE (agent_id, name, api_key_type),
    CONSTRAINT agent_api_keys_secret_hash_key UNIQUE (secret_hash)
);

-- The agent's keys, oldest first (id tiebreak).
CREATE INDEX agent_api_keys_agent_created_idx ON agent_api_keys (agent_id, created_at, id);

CREATE TABLE service_tokens (
    id          uuid        PRIMARY KEY,
    name        text        NOT NULL,
    principal   text        NOT NULL CONSTRAINT service_tokens_principal_check
        CHECK (principal ~ '^(user|service):.+$'),
    secret_hash text        NOT NULL,
    created_at  timestamptz NOT NULL,
    CONSTRAINT service_tokens_name_key UNIQUE (name),
    CONSTRAINT service_tokens_secret_hash_key UNIQUE (secret_hash)
);

CREATE TABLE grants (
    agent_id   uuid        NOT NULL REFERENCES agents (id),
    principal  text        COLLATE "C" NOT NULL,
    role       text        NOT NULL CONSTRAINT grants_role_check CHECK (role IN ('owner', 'editor', 'viewer')),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (agent_id, principal)
);

-- visible_ids: every agent a principal holds a role on.
CREATE INDEX grants_principal_idx ON grants (principal, agent_id);
