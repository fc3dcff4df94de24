-- An ordinary principal's list pages its granted agents and counts them (issue 16). Its grants
-- outlive the agent's deletion (owners still read a Deleted agent's events), so counting *live*
-- granted agents needed a join to agents per grant, and paging them in list order a sort of
-- every granted agent (or a walk of the org's index probing grants for each entry). Each grant
-- now carries what those need of its agent, kept by a trigger in the writing transaction:
--   agent_live        false once the agent is Deleted (terminal: it never turns back);
--   agent_updated_at  the agent's updated_at, the default list order.
-- A principal's live grants in that order are one range of a partial index: the page is its
-- first 50 entries joined to their agents by key, the total an index-only count.
ALTER TABLE grants
    ADD COLUMN agent_live boolean NOT NULL DEFAULT true,
    ADD COLUMN agent_updated_at timestamptz;

UPDATE grants
   SET agent_live = (agents.status <> 'Deleted'), agent_updated_at = agents.updated_at
  FROM agents
 WHERE agents.id = grants.agent_id;

-- No default: every statement that writes a grant names its agent's updated_at.
ALTER TABLE grants ALTER COLUMN agent_updated_at SET NOT NULL;

CREATE FUNCTION grants_follow_agent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE grants
       SET agent_live = (NEW.status <> 'Deleted'), agent_updated_at = NEW.updated_at
     WHERE agent_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER agents_grants_follow AFTER UPDATE OF status, updated_at ON agents
    FOR EACH ROW
    WHEN (NEW.updated_at IS DISTINCT FROM OLD.updated_at OR NEW.status IS DISTINCT FROM OLD.status)
    EXECUTE FUNCTION grants_follow_agent();

-- The probe of "does this principal hold a live grant on agent X" (other orders and filters).
CREATE INDEX grants_live_principal_idx ON grants (org_id, principal, agent_id) WHERE agent_live;
-- A principal's live granted agents in the default list order (and their count).
CREATE INDEX grants_live_principal_updated_idx
    ON grants (org_id, principal, agent_updated_at, agent_id) WHERE agent_live;
