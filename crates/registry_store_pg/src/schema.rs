//! Diesel table definitions, in step with `migrations/` (see docs/migrations.md; the
//! `schema_matches_the_migrations` test compares them with the migrated database).

diesel::table! {
    /// Agents (soft-deleted: `status = 'Deleted'`).
    agents (id) {
        /// Id.
        id -> Uuid,
        /// Name, unique among non-Deleted agents.
        name -> Text,
        /// Description.
        description -> Text,
        /// Status (wire spelling).
        status -> Text,
        /// Why the status is what it is.
        status_reason -> Nullable<Text>,
        /// ACP flavour (wire spelling).
        acp_type -> Text,
        /// ACP URL.
        acp_url -> Nullable<Text>,
        /// Registration metadata (object).
        registration_metadata -> Nullable<Jsonb>,
        /// Input type (wire spelling).
        agent_input_type -> Nullable<Text>,
        /// Production deployment.
        production_deployment_id -> Nullable<Uuid>,
        /// Creation time.
        created_at -> Timestamptz,
        /// Last write time.
        updated_at -> Timestamptz,
        /// Last transition to Ready.
        registered_at -> Nullable<Timestamptz>,
        /// Last heartbeat.
        last_seen_at -> Nullable<Timestamptz>,
        /// Deletion time.
        deleted_at -> Nullable<Timestamptz>,
        /// Who deleted it.
        deleted_by -> Nullable<Text>,
        /// Optimistic-concurrency version.
        version -> Int8,
        /// Bytes of client data stored (generated; the list page budget sums it).
        stored_bytes -> Int4,
        /// The org it belongs to (migration 2026-11-27-130000).
        org_id -> Uuid,
    }
}

diesel::table! {
    /// Deployments (soft-deleted: `expires_at` set).
    deployments (id) {
        /// Id.
        id -> Uuid,
        /// Owning agent.
        agent_id -> Uuid,
        /// Image reference.
        docker_image -> Text,
        /// Metadata (object).
        registration_metadata -> Nullable<Jsonb>,
        /// Status (wire spelling).
        status -> Text,
        /// ACP URL once registered.
        acp_url -> Nullable<Text>,
        /// The agent's production deployment.
        is_production -> Bool,
        /// External deploy id.
        sgp_deploy_id -> Nullable<Text>,
        /// Helm release name.
        helm_release_name -> Nullable<Text>,
        /// Creation time.
        created_at -> Timestamptz,
        /// Last promotion.
        promoted_at -> Nullable<Timestamptz>,
        /// Soft-deletion time.
        expires_at -> Nullable<Timestamptz>,
        /// Bytes of client data stored (generated; the list page budget sums it).
        stored_bytes -> Int4,
        /// The org of its agent (migration 2026-11-27-130000).
        org_id -> Uuid,
    }
}

diesel::table! {
    /// Deployment history.
    deployment_history (id) {
        /// Id.
        id -> Uuid,
        /// Agent.
        agent_id -> Uuid,
        /// Commit author.
        author_name -> Text,
        /// Commit author e-mail.
        author_email -> Text,
        /// Branch.
        branch_name -> Text,
        /// Build time.
        build_timestamp -> Timestamptz,
        /// Deploy time.
        deployment_timestamp -> Timestamptz,
        /// Commit.
        commit_hash -> Text,
        /// The org of its agent (migration 2026-11-27-130000).
        org_id -> Uuid,
    }
}

diesel::table! {
    /// Agent API keys, by keyed hash.
    agent_api_keys (id) {
        /// Id.
        id -> Uuid,
        /// Agent.
        agent_id -> Uuid,
        /// Name.
        name -> Text,
        /// Type (wire spelling).
        api_key_type -> Text,
        /// Keyed hash of the secret.
        secret_hash -> Text,
        /// Creation time.
        created_at -> Timestamptz,
        /// Principal text of the minter (migration 5); the key authenticates only while it
        /// keeps the authority to mint it.
        created_by -> Text,
        /// The org of its agent (migration 2026-11-27-130000).
        org_id -> Uuid,
    }
}

diesel::table! {
    /// Service tokens, by keyed hash.
    service_tokens (id) {
        /// Id.
        id -> Uuid,
        /// Name.
        name -> Text,
        /// Principal text.
        principal -> Text,
        /// Keyed hash of the secret.
        secret_hash -> Text,
        /// Creation time.
        created_at -> Timestamptz,
        /// The org it belongs to.
        org_id -> Uuid,
    }
}

diesel::table! {
    /// Organizations (tenants).
    orgs (id) {
        /// Id.
        id -> Uuid,
        /// Unique, immutable handle.
        slug -> Text,
        /// Human-readable name.
        display_name -> Text,
        /// Most live agents; NULL: unlimited.
        max_agents -> Nullable<Int4>,
        /// Creation time.
        created_at -> Timestamptz,
        /// Last change.
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// Roles of principals on agents.
    grants (agent_id, principal) {
        /// Agent.
        agent_id -> Uuid,
        /// Principal text.
        principal -> Text,
        /// Role (wire spelling).
        role -> Text,
        /// Grant time.
        created_at -> Timestamptz,
        /// The org of its agent (migration 2026-11-27-130000).
        org_id -> Uuid,
        /// Whether its agent is live (not Deleted); kept by a trigger (migration
        /// 2026-11-28-090000).
        agent_live -> Bool,
        /// Its agent's `updated_at` (the default list order); kept by the same trigger.
        agent_updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// The append-only audit trail.
    agent_events (id) {
        /// Monotonic id.
        id -> Int8,
        /// Agent.
        agent_id -> Uuid,
        /// Kind (snake_case).
        kind -> Text,
        /// Status before.
        from_status -> Nullable<Text>,
        /// Status after.
        to_status -> Nullable<Text>,
        /// Actor principal text.
        actor -> Text,
        /// When.
        at -> Timestamptz,
        /// Detail.
        detail -> Jsonb,
        /// The org of its agent (migration 2026-11-27-130000).
        org_id -> Uuid,
        /// Its position in the org's change feed: the writing transaction's xid << 20 plus
        /// the event's ordinal in it (migration 2026-11-28-100000, ADR 0010).
        seq -> Int8,
    }
}

diesel::table! {
    /// A2A agent cards, one per agent (migration 2026-11-28-120000). The generated
    /// `search_doc tsvector` is left out: diesel has no type for it, and only the search
    /// statement (SQL text in `cards.rs`) reads it.
    agent_cards (agent_id) {
        /// The agent.
        agent_id -> Uuid,
        /// Its org.
        org_id -> Uuid,
        /// The card as sent (validated).
        card -> Jsonb,
        /// `org` or `public`.
        visibility -> Text,
        /// What the structured search filters match (`AgentCard::facets`).
        facets -> Array<Text>,
        /// When stored.
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// The number of live agents per status, split over 16 shard rows each and kept by a
    /// trigger on `agents` (migration 2026-11-27-120000); read only as sums of `n`.
    agent_status_counts (org_id, status, shard) {
        /// The org counted (migration 2026-11-27-130000).
        org_id -> Uuid,
        /// The status counted (never `Deleted`).
        status -> Text,
        /// Which of the 16 rows of the status (the writing backend's pid modulo 16).
        shard -> SmallInt,
        /// This row's part of the count (may be negative; the sum is exact).
        n -> BigInt,
    }
}

diesel::table! {
    /// Webhook subscriptions, each also its delivery cursor and row lease.
    webhooks (id) {
        /// Id.
        id -> Uuid,
        /// Owning org.
        org_id -> Uuid,
        /// Target URL.
        url -> Text,
        /// Kinds delivered; NULL: every kind.
        event_kinds -> Nullable<Array<Text>>,
        /// Free text.
        description -> Text,
        /// enabled / disabled / failing.
        status -> Text,
        /// Why it is failing.
        failing_reason -> Nullable<Text>,
        /// Signing key.
        secret -> Bytea,
        /// The key a rotation replaced.
        previous_secret -> Nullable<Bytea>,
        /// End of the rotation overlap.
        previous_secret_until -> Nullable<Timestamptz>,
        /// Feed seq delivered up to.
        position -> Int8,
        /// Failed attempts at the next event.
        attempt -> Int4,
        /// When the next event first failed.
        failing_since -> Nullable<Timestamptz>,
        /// When the subscription is due.
        next_attempt_at -> Timestamptz,
        /// The claim holding the lease.
        lease_token -> Nullable<Uuid>,
        /// Lease expiry.
        lease_until -> Nullable<Timestamptz>,
        /// Creation time.
        created_at -> Timestamptz,
        /// Last change.
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// Webhook delivery attempts.
    webhook_deliveries (id) {
        /// Append order.
        id -> Int8,
        /// Subscription.
        webhook_id -> Uuid,
        /// Its org.
        org_id -> Uuid,
        /// Feed position of the event.
        seq -> Int8,
        /// Event id.
        event_id -> Int8,
        /// Attempt number at this event.
        attempt -> Int4,
        /// Receiver's status.
        status_code -> Nullable<Int4>,
        /// Failure.
        error -> Nullable<Text>,
        /// Duration.
        duration_ms -> Int4,
        /// When.
        at -> Timestamptz,
        /// Next attempt after a retried failure.
        next_attempt_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(deployments -> agents (agent_id));
diesel::joinable!(deployment_history -> agents (agent_id));
diesel::joinable!(agent_api_keys -> agents (agent_id));
diesel::joinable!(grants -> agents (agent_id));
diesel::joinable!(agent_events -> agents (agent_id));
diesel::joinable!(agent_cards -> agents (agent_id));
diesel::joinable!(agents -> orgs (org_id));
diesel::joinable!(service_tokens -> orgs (org_id));
diesel::joinable!(webhooks -> orgs (org_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));

diesel::allow_tables_to_appear_in_same_query!(
    agents,
    deployments,
    deployment_history,
    agent_api_keys,
    service_tokens,
    grants,
    agent_events,
    agent_cards,
    agent_status_counts,
    orgs,
    webhooks,
    webhook_deliveries,
);
