-- `GET /agents?order_by=last_seen_at` (most recently seen first, never-seen last): the page is
-- read from this index in order, as `updated_at` pages are from agents_live_updated_at_idx.
CREATE INDEX agents_live_last_seen_idx ON agents (last_seen_at DESC NULLS LAST, id DESC)
    WHERE status <> 'Deleted';
