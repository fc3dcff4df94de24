-- A2A agent cards (contract §11, issue 18): one per agent, in its agent's org.
--
-- facets      what the structured filters match exactly, computed by the registry from the
--             card (registry_domain::AgentCard::facets): `skill:<id>`, `tag:<tag>`,
--             `in:<media type>`, `out:<media type>`, `res:<resource>` of each
--             capability-shaped tag. A filter is `facets @> ARRAY[...]` (all of them) or, for
--             a capability, `facets && ARRAY['tag:data:read', 'tag:data:*']`; GIN-indexed.
-- search_doc  the full-text document, generated from the card: its name, skill names and tags
--             (weight A), its description and skill descriptions (B), skill examples (C).
--             The `simple` configuration: lowercase words, no stemming, no stop words (what
--             the in-memory store matches too). GIN-indexed.
CREATE TABLE agent_cards (
    agent_id   uuid        NOT NULL,
    org_id     uuid        NOT NULL,
    card       jsonb       NOT NULL,
    visibility text        NOT NULL CONSTRAINT agent_cards_visibility_check
                                    CHECK (visibility IN ('org', 'public')),
    facets     text[]      NOT NULL,
    updated_at timestamptz NOT NULL,
    search_doc tsvector    GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(card ->> 'name', '')), 'A')
        || setweight(jsonb_to_tsvector('simple',
               jsonb_path_query_array(card, '$.skills[*].name'), '["string"]'), 'A')
        || setweight(jsonb_to_tsvector('simple',
               jsonb_path_query_array(card, '$.skills[*].tags[*]'), '["string"]'), 'A')
        || setweight(to_tsvector('simple', coalesce(card ->> 'description', '')), 'B')
        || setweight(jsonb_to_tsvector('simple',
               jsonb_path_query_array(card, '$.skills[*].description'), '["string"]'), 'B')
        || setweight(jsonb_to_tsvector('simple',
               jsonb_path_query_array(card, '$.skills[*].examples[*]'), '["string"]'), 'C')
    ) STORED,
    CONSTRAINT agent_cards_pkey PRIMARY KEY (agent_id),
    CONSTRAINT agent_cards_agent_org_fkey FOREIGN KEY (agent_id, org_id)
        REFERENCES agents (id, org_id) ON DELETE CASCADE
);

CREATE INDEX agent_cards_search_idx ON agent_cards USING gin (search_doc);
CREATE INDEX agent_cards_facets_idx ON agent_cards USING gin (facets);
-- An org's cards (search without a text or facet filter, org deletion).
CREATE INDEX agent_cards_org_idx ON agent_cards (org_id);

-- A card's change is an audit event of its own: kind `card_updated`, detail {"visibility"}
-- or {"removed": true}. The CHECK holds exactly registry_domain::EventKind::ALL.
ALTER TABLE agent_events DROP CONSTRAINT agent_events_kind_check;
ALTER TABLE agent_events ADD CONSTRAINT agent_events_kind_check CHECK (kind IN (
    'created', 'transition', 'updated', 'promoted',
    'grant_added', 'grant_revoked', 'key_created', 'key_deleted', 'renamed', 'card_updated'));
