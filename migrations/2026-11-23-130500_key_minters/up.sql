-- Each agent API key records who minted it; a key authenticates only while its minter keeps
-- the authority to mint it (registry_domain::minter_authority_holds, docs/security.md): the
-- admin, or a principal holding a role with `update` on the key's agent and a live service token.
--
-- Keys minted before this migration have no recorded minter. They become the admin's, so they
-- keep working exactly as before (see docs/migrations.md). The default exists only for them:
-- it is dropped at once, so every new key must name its minter.
ALTER TABLE agent_api_keys ADD COLUMN created_by text COLLATE "C" NOT NULL DEFAULT 'admin';
ALTER TABLE agent_api_keys ALTER COLUMN created_by DROP DEFAULT;

-- The authentication read compares created_by with grants.principal and service_tokens.principal:
-- one collation ("C", as grants.principal) for all three, so each comparison may use an index.
ALTER TABLE service_tokens ALTER COLUMN principal TYPE text COLLATE "C";

-- "Does the minter still hold a live service token?" (one probe per key authentication).
CREATE INDEX service_tokens_principal_idx ON service_tokens (principal);
