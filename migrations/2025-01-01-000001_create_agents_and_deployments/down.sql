ALTER TABLE agents DROP CONSTRAINT agents_production_deployment_fkey;
DROP TABLE deployment_history;
DROP TABLE deployments;
DROP TABLE agents;
