-- The bytes of client data each agent and deployment row stores (text fields and the
-- metadata's JSON text), kept by PostgreSQL itself. A list page longer than 58 rows sums these
-- for its rows before loading them and is refused when over the page budget (domain
-- `MAX_PAGE_BYTES`): reading this column costs no detoasting of the documents it measures.
ALTER TABLE agents ADD COLUMN stored_bytes integer NOT NULL GENERATED ALWAYS AS (
    octet_length(description)
    + COALESCE(octet_length(registration_metadata::text), 0)
    + COALESCE(octet_length(acp_url), 0)
) STORED;

ALTER TABLE deployments ADD COLUMN stored_bytes integer NOT NULL GENERATED ALWAYS AS (
    octet_length(docker_image)
    + COALESCE(octet_length(registration_metadata::text), 0)
    + COALESCE(octet_length(acp_url), 0)
    + COALESCE(octet_length(helm_release_name), 0)
    + COALESCE(octet_length(sgp_deploy_id), 0)
) STORED;
