DROP INDEX agents_live_last_seen_idx;
