-- The watermark as the SQL function migration 2026-11-28-100000 created.
CREATE OR REPLACE FUNCTION agent_events_watermark() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL RESTRICTED AS $$
    SELECT coalesce(
        (SELECT min(x) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
          WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                             WHERE a.backend_xid = xid(x)
                               AND a.datname IS DISTINCT FROM current_database())),
        pg_snapshot_xmax(pg_current_snapshot()))::text::bigint << 20
$$;
