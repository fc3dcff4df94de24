-- Fails while `card_updated` events exist: the audit trail is append-only, so they cannot be
-- removed, and the old CHECK cannot hold them.
ALTER TABLE agent_events DROP CONSTRAINT agent_events_kind_check;
ALTER TABLE agent_events ADD CONSTRAINT agent_events_kind_check CHECK (kind IN (
    'created', 'transition', 'updated', 'promoted',
    'grant_added', 'grant_revoked', 'key_created', 'key_deleted', 'renamed'));
DROP TABLE agent_cards;
