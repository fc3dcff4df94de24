DROP TABLE grants;
DROP TABLE service_tokens;
DROP TABLE agent_api_keys;
