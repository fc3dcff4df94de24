-- Floor for GET /agents?limit=50: the first page of the bench org's live agents, newest first,
-- id as tiebreak.
SELECT * FROM agents WHERE org_id = (SELECT id FROM orgs WHERE slug = 'bench') AND status <> 'Deleted'
 ORDER BY updated_at DESC, id DESC LIMIT 50;
