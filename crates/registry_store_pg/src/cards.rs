//! [`CardRepository`] on `agent_cards`: a card and its event in one transaction; the card with
//! its live agent in one read; search in one statement over the GIN indexes (`card_search`;
//! see `migrations/2026-11-28-120000_agent_cards`).

use crate::error::TxError;
use crate::events::append_events;
use crate::fragments::LiveAgent;
use crate::pool::{run, run_tx};
use crate::rows::AgentRow;
use crate::schema::{agent_cards, agents};
use crate::stored_json::StoredJson;
use crate::PgStore;
use async_trait::async_trait;
use diesel::prelude::*;
use diesel::sql_types::{Array, Jsonb, Text, Timestamptz, Uuid as SqlUuid};
use registry_domain::{
    Agent, AgentCard, AgentId, AgentRef, CardVisibility, Facet, NewEvent, StoredCard, Timestamp,
};
use registry_ports::{CardRepository, CardSearch, RepoError, RepoResult, SearchPage};
use uuid::Uuid;

/// The columns of a card the ports hand out.
#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = agent_cards, check_for_backend(diesel::pg::Pg))]
pub(crate) struct CardRow {
    pub(crate) agent_id: Uuid,
    pub(crate) card: StoredJson,
    pub(crate) visibility: String,
    pub(crate) updated_at: Timestamp,
}

impl TryFrom<CardRow> for StoredCard {
    type Error = RepoError;

    fn try_from(r: CardRow) -> RepoResult<Self> {
        let corrupt = |what: String| {
            RepoError::Unexpected(format!("corrupt card of agent {}: {what}", r.agent_id).into())
        };
        let json = r.card.0.clone().map_err(corrupt)?;
        Ok(StoredCard {
            agent_id: AgentId::from_uuid(r.agent_id),
            card: AgentCard::from_stored(json)
                .ok_or_else(|| corrupt("not a JSON object".to_owned()))?,
            visibility: CardVisibility::parse(&r.visibility).map_err(|e| corrupt(e.to_string()))?,
            updated_at: r.updated_at,
        })
    }
}

#[async_trait]
impl CardRepository for PgStore {
    async fn put_card(&self, card: &StoredCard, event: &NewEvent) -> RepoResult<StoredCard> {
        let (stored, event, org) = (card.clone(), event.clone(), self.org());
        run_tx(&self.pool, move |conn| {
            let facets: Vec<String> = stored.card.facets().iter().map(Facet::key).collect();
            // Written only while the agent is live in this org: one statement decides it.
            let written = diesel::sql_query(
                "INSERT INTO agent_cards (agent_id, org_id, card, visibility, facets, updated_at) \
                 SELECT a.id, a.org_id, $3, $4, $5, $6 FROM agents a \
                  WHERE a.id = $1 AND a.org_id = $2 AND a.status <> 'Deleted' \
                 ON CONFLICT (agent_id) DO UPDATE SET card = excluded.card, \
                    visibility = excluded.visibility, facets = excluded.facets, \
                    updated_at = excluded.updated_at",
            )
            .bind::<SqlUuid, _>(stored.agent_id.as_uuid())
            .bind::<SqlUuid, _>(org)
            .bind::<Jsonb, _>(StoredJson::from(stored.card.to_value()))
            .bind::<Text, _>(stored.visibility.as_str())
            .bind::<Array<Text>, _>(facets)
            .bind::<Timestamptz, _>(stored.updated_at)
            .execute(conn)?;
            if written == 0 {
                return Err(TxError::Repo(RepoError::NotFound));
            }
            append_events(conn, org, std::slice::from_ref(&event))?;
            Ok(stored)
        })
        .await
    }

    async fn get_card(&self, agent: AgentId) -> RepoResult<Option<StoredCard>> {
        let (agent, org) = (agent.as_uuid(), self.org());
        let row: Option<CardRow> = run(&self.pool, move |conn| {
            Ok(agent_cards::table
                .filter(agent_cards::agent_id.eq(agent))
                .filter(agent_cards::org_id.eq(org))
                .select(CardRow::as_select())
                .first(conn)
                .optional()?)
        })
        .await?;
        row.map(StoredCard::try_from).transpose()
    }

    async fn delete_card(&self, agent: AgentId, event: &NewEvent) -> RepoResult<bool> {
        let (agent, event, org) = (agent.as_uuid(), event.clone(), self.org());
        run_tx(&self.pool, move |conn| {
            let removed = diesel::delete(
                agent_cards::table
                    .filter(agent_cards::agent_id.eq(agent))
                    .filter(agent_cards::org_id.eq(org)),
            )
            .execute(conn)?;
            if removed > 0 {
                append_events(conn, org, std::slice::from_ref(&event))?;
            }
            Ok(removed > 0)
        })
        .await
    }

    async fn card_of(&self, at: &AgentRef) -> RepoResult<Option<(Agent, StoredCard)>> {
        let (at, org) = (at.clone(), self.org());
        let row: Option<(AgentRow, CardRow)> = run(&self.pool, move |conn| {
            let both = agents::table
                .inner_join(agent_cards::table)
                .filter(agents::org_id.eq(org))
                .filter(agent_cards::org_id.eq(org))
                .filter(LiveAgent)
                .select((AgentRow::as_select(), CardRow::as_select()));
            Ok(match at {
                AgentRef::Id(id) => both
                    .filter(agents::id.eq(id.as_uuid()))
                    .first(conn)
                    .optional()?,
                AgentRef::Name(name) => both
                    .filter(agents::name.eq(name.as_str().to_owned()))
                    .first(conn)
                    .optional()?,
            })
        })
        .await?;
        row.map(|(agent, card)| Ok((agent.try_into()?, card.try_into()?)))
            .transpose()
    }

    async fn search(&self, query: &CardSearch) -> RepoResult<SearchPage> {
        let (query, org) = (query.clone(), self.org());
        let (hits, total) = run(&self.pool, move |conn| {
            Ok(crate::card_search::search_page(conn, &query, org)?)
        })
        .await?;
        Ok(SearchPage {
            hits,
            total: u64::try_from(total).unwrap_or(0),
        })
    }
}
