-- A rename (register by id with another name) is an audit event of its own: kind `renamed`,
-- detail {"old_name", "new_name"}. The CHECK holds exactly registry_domain::EventKind::ALL.
ALTER TABLE agent_events DROP CONSTRAINT agent_events_kind_check;
ALTER TABLE agent_events ADD CONSTRAINT agent_events_kind_check CHECK (kind IN (
    'created', 'transition', 'updated', 'promoted',
    'grant_added', 'grant_revoked', 'key_created', 'key_deleted', 'renamed'));
