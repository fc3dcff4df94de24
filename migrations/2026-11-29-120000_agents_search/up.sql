-- Search finds agents without a card too (contract §11: "full-text relevance over name,
-- description and the card's ..."): the agent's own registry document, its name (weight A)
-- and description (B) in the `simple` configuration (lowercase words, no stemming, no stop
-- words; what the in-memory store matches too), GIN-indexed by expression. No stored column:
-- every agent write (heartbeats included) would rewrite it. The search statement must use
-- exactly this expression for the planner to use the index (registry_store_pg card_search.rs,
-- `agent_doc`). An agent matches when every word is in this document OR every word is in its
-- card's `search_doc`, so each half stays on its own index.
CREATE INDEX agents_search_idx ON agents USING gin (
    (setweight(to_tsvector('simple', name), 'A')
     || setweight(to_tsvector('simple', description), 'B')));
