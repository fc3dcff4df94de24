DROP INDEX grants_live_principal_updated_idx;
DROP INDEX grants_live_principal_idx;
DROP TRIGGER agents_grants_follow ON agents;
DROP FUNCTION grants_follow_agent();
ALTER TABLE grants DROP COLUMN agent_updated_at, DROP COLUMN agent_live;
