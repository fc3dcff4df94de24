-- An ordinary principal's list pages its granted agents and counts them (issue 16). Its grants
-- outlive the agent's deletion (owners still read a Deleted agent's events), so the count of
-- *live* granted agents needed a join to agents per grant. Each grant now carries whether its
-- agent is live, kept by a trigger in the deleting statement's transaction, and the live grants
-- of a principal are one range of a partial index: the count is an index-only scan and the page
-- a walk of the org's index probing it.
ALTER TABLE grants ADD COLUMN agent_live boolean NOT NULL DEFAULT true;

UPDATE grants SET agent_live = false
  FROM agents
 WHERE agents.id = grants.agent_id AND agents.status = 'Deleted';

-- Deleted is terminal (no status leaves it), so a grant turns not-live once and never back.
CREATE FUNCTION grants_follow_agent_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE grants SET agent_live = false WHERE agent_id = NEW.id AND agent_live;
    RETURN NULL;
END
$$;

CREATE TRIGGER agents_deleted_grants_not_live AFTER UPDATE OF status ON agents
    FOR EACH ROW WHEN (NEW.status = 'Deleted' AND OLD.status <> 'Deleted')
    EXECUTE FUNCTION grants_follow_agent_deletion();

CREATE INDEX grants_live_principal_idx ON grants (org_id, principal, agent_id) WHERE agent_live;
