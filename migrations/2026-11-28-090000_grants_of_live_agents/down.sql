DROP INDEX grants_live_principal_idx;
DROP TRIGGER agents_deleted_grants_not_live ON agents;
DROP FUNCTION grants_follow_agent_deletion();
ALTER TABLE grants DROP COLUMN agent_live;
