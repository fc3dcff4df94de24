-- The feed's watermark (migration 2026-11-28-100000, ADR 0010) as a PL/pgSQL function, same
-- body, same result. As a SQL function it was not inlined (it has subqueries), so each call
-- planned its body anew — pg_stat_activity is a view over three relations — about 0.4 ms of
-- PostgreSQL's CPU on every feed page, webhook read and head poll, eight times the page's own
-- read. PL/pgSQL keeps the plan for the session; a call costs about 0.04 ms (pgbench, one
-- client). STABLE as before: it sees the calling statement's snapshot, which is what makes it
-- that statement's watermark.
CREATE OR REPLACE FUNCTION agent_events_watermark() RETURNS bigint
    LANGUAGE plpgsql STABLE PARALLEL RESTRICTED AS $$
BEGIN
    RETURN coalesce(
        (SELECT min(x) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
          WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                             WHERE a.backend_xid = xid(x)
                               AND a.datname IS DISTINCT FROM current_database())),
        pg_snapshot_xmax(pg_current_snapshot()))::text::bigint << 20;
END
$$;
