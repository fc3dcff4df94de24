-- Floor for GET /events?limit=50: the first 50 events of the bench org's feed in position order
-- (without the server's watermark and access filter).
SELECT * FROM agent_events WHERE org_id = (SELECT id FROM orgs WHERE slug = 'bench') AND seq > 0
 ORDER BY seq LIMIT 50;
