DROP INDEX service_tokens_principal_idx;
ALTER TABLE service_tokens ALTER COLUMN principal TYPE text COLLATE "default";
ALTER TABLE agent_api_keys DROP COLUMN created_by;
