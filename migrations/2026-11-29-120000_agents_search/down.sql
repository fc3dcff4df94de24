DROP INDEX agents_search_idx;
