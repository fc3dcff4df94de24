-- Informational, not a floor: a list whose total is counted beside the page, as the server does for
-- filtered lists (status, card metadata, an ordinary principal's grants); it visits every match.
SELECT *, count(*) OVER () FROM agents WHERE org_id = (SELECT id FROM orgs WHERE slug = 'bench') AND status <> 'Deleted'
ORDER BY updated_at DESC, id DESC LIMIT 50 OFFSET 0;
