-- Floor for GET /agents/search?q=forecast&limit=50: the matching cards through their GIN index,
-- ranked, joined to their live agents, one page with the total (what the server's statement does,
-- without the caller's access filter).
WITH c AS MATERIALIZED (
  SELECT agent_id, card, ts_rank(search_doc, plainto_tsquery('simple', 'forecast'))::float8 AS score
    FROM agent_cards
   WHERE org_id = (SELECT id FROM orgs WHERE slug = 'bench')
     AND search_doc @@ plainto_tsquery('simple', 'forecast'))
SELECT a.*, c.card, c.score, count(*) OVER () AS total
  FROM c JOIN agents a ON a.id = c.agent_id
 WHERE a.status <> 'Deleted'
 ORDER BY c.score DESC, a.name, a.id LIMIT 50;
