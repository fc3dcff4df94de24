-- Informational, not a floor: the list statement as the server sends it today (docs/explain.md),
-- with the total for X-Total-Count computed by count(*) OVER (), which visits every live row.
SELECT *, count(*) OVER () FROM agents WHERE status <> 'Deleted'
ORDER BY updated_at DESC, id DESC LIMIT 50 OFFSET 0;
