-- Webhook subscriptions and their delivery log (contract §10, docs/adr/0011-webhooks.md).
-- A subscription is also its delivery cursor: `position` is the feed seq last delivered (2xx);
-- `lease_token`/`lease_until` is the row lease a worker holds while it delivers (claimed with
-- FOR UPDATE SKIP LOCKED; an expired lease is free again); `attempt`, `failing_since` and
-- `next_attempt_at` are the retry state of the event at `position + 1`.
CREATE TABLE webhooks (
    id                  uuid        PRIMARY KEY,
    org_id              uuid        NOT NULL CONSTRAINT webhooks_org_fkey
        REFERENCES orgs (id) ON DELETE CASCADE,
    url                 text        NOT NULL CONSTRAINT webhooks_url_length
        CHECK (char_length(url) BETWEEN 1 AND 2048),
    event_kinds         text[],
    description         text        NOT NULL DEFAULT ''
        CONSTRAINT webhooks_description_length CHECK (char_length(description) <= 1024),
    status              text        NOT NULL CONSTRAINT webhooks_status_valid
        CHECK (status IN ('enabled', 'disabled', 'failing')),
    failing_reason      text,
    -- The HMAC keys signing needs (not a hash: the receiver verifies with the same key).
    secret              bytea       NOT NULL CONSTRAINT webhooks_secret_length
        CHECK (octet_length(secret) >= 24),
    previous_secret     bytea,
    previous_secret_until timestamptz,
    position            bigint      NOT NULL CONSTRAINT webhooks_position_non_negative
        CHECK (position >= 0),
    attempt             integer     NOT NULL DEFAULT 0,
    failing_since       timestamptz,
    next_attempt_at     timestamptz NOT NULL,
    lease_token         uuid,
    lease_until         timestamptz,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);

CREATE INDEX webhooks_org_created_idx ON webhooks (org_id, created_at, id);
-- What the workers' claim scans: enabled subscriptions by due time.
CREATE INDEX webhooks_due_idx ON webhooks (next_attempt_at) WHERE status = 'enabled';

-- One row per delivery attempt, newest first per subscription.
CREATE TABLE webhook_deliveries (
    id              bigserial   PRIMARY KEY,
    webhook_id      uuid        NOT NULL CONSTRAINT webhook_deliveries_webhook_fkey
        REFERENCES webhooks (id) ON DELETE CASCADE,
    org_id          uuid        NOT NULL,
    seq             bigint      NOT NULL,
    event_id        bigint      NOT NULL,
    attempt         integer     NOT NULL,
    status_code     integer,
    error           text,
    duration_ms     integer     NOT NULL,
    at              timestamptz NOT NULL,
    next_attempt_at timestamptz
);

CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id DESC);
