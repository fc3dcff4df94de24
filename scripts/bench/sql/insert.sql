-- Floor for POST /agents/register-build with a new name: one single-row insert of a BuildOnly
-- agent with a random unique name (ON CONFLICT DO NOTHING covers the rare random collision).
\set r random(1, 1000000000000)
INSERT INTO agents (id, name, description, status, status_reason, created_at, updated_at, version,
                    org_id)
VALUES (gen_random_uuid(), 'pgb-' || :client_id::text || '-' || :r::text, 'bench floor',
        'BuildOnly', 'Agent build registered; not yet deployed.', now(), now(), 1,
        '00000000-0000-0000-0000-000000000001')
ON CONFLICT DO NOTHING;
