-- Floor for GET /agents?limit=50: the first page of live agents, newest first, id as tiebreak.
SELECT * FROM agents WHERE status <> 'Deleted' ORDER BY updated_at DESC, id DESC LIMIT 50;
