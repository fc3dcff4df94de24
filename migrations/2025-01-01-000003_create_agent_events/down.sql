DROP TABLE agent_events;
DROP FUNCTION agent_events_reject_change();
