DROP TRIGGER agents_count_truncate ON agents;
DROP FUNCTION agents_count_reset();
DROP TRIGGER agents_count_live ON agents;
DROP FUNCTION agents_count_live();
DROP TABLE agent_live_counts;
