ALTER TABLE deployments DROP COLUMN stored_bytes;
ALTER TABLE agents DROP COLUMN stored_bytes;
