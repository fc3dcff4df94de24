-- The append-only audit trail.

CREATE TABLE agent_events (
    id          bigserial   PRIMARY KEY,
    agent_id    uuid        NOT NULL REFERENCES agents (id),
    kind        text        NOT NULL CONSTRAINT agent_events_kind_check CHECK (kind IN (
        'created', 'transition', 'updated', 'promoted',
        'grant_added', 'grant_revoked', 'key_created', 'key_deleted')),
    from_status text        CONSTRAINT agent_events_from_status_check
        CHECK (from_status IN ('Ready', 'Failed', 'Unknown', 'Deleted', 'Unhealthy', 'BuildOnly')),
    to_status   text        CONSTRAINT agent_events_to_status_check
        CHECK (to_status IN ('Ready', 'Failed', 'Unknown', 'Deleted', 'Unhealthy', 'BuildOnly')),
    actor       text        NOT NULL,
    at          timestamptz NOT NULL,
    detail      jsonb       NOT NULL DEFAULT '{}'
);

-- The agent's events, newest first.
CREATE INDEX agent_events_agent_id_idx ON agent_events (agent_id, id);

-- Rows are never changed or removed once written.
CREATE FUNCTION agent_events_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'agent_events is append-only (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER agent_events_append_only
    BEFORE UPDATE OR DELETE ON agent_events
    FOR EACH ROW EXECUTE FUNCTION agent_events_reject_change();

CREATE TRIGGER agent_events_no_truncate
    BEFORE TRUNCATE ON agent_events
    FOR EACH STATEMENT EXECUTE FUNCTION agent_events_reject_change();
