DROP INDEX agent_events_org_seq_idx;
ALTER TABLE agent_events DROP COLUMN seq;
DROP FUNCTION agent_events_watermark();
DROP FUNCTION agent_event_seq(integer);
