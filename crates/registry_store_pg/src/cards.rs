//! [`CardRepository`] on `agent_cards`: a card and its event in one transaction; the card with
//! its live agent in one read; search in one statement over the GIN indexes (see
//! `migrations/2026-11-28-120000_agent_cards`).

use crate::error::TxError;
use crate::events::append_events;
use crate::fragments::LiveAgent;
use crate::pool::{run, run_tx};
use crate::rows::AgentRow;
use crate::schema::{agent_cards, agents};
use crate::stored_json::StoredJson;
use crate::PgStore;
use async_trait::async_trait;
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{
    Array, BigInt, Double, Integer, Jsonb, Text, Timestamptz, Uuid as SqlUuid,
};
use registry_domain::{
    capability_facets, Agent, AgentCard, AgentId, AgentRef, CardVisibility, Facet, NewEvent,
    StoredCard, Timestamp,
};
use registry_ports::{CardRepository, CardSearch, RepoError, RepoResult, SearchHit, SearchPage};
use uuid::Uuid;

/// The columns of a card the ports hand out.
#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = agent_cards, check_for_backend(diesel::pg::Pg))]
struct CardRow {
    agent_id: Uuid,
    card: StoredJson,
    visibility: String,
    updated_at: Timestamp,
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
            card: AgentCard::parse(json).map_err(|e| corrupt(e.to_string()))?,
            visibility: CardVisibility::parse(&r.visibility).map_err(|e| corrupt(e.to_string()))?,
            updated_at: r.updated_at,
        })
    }
}

/// One search result row: the agent, its card, the score and the number of matches.
#[derive(QueryableByName)]
struct HitRow {
    #[diesel(embed)]
    agent: AgentRow,
    #[diesel(sql_type = Jsonb)]
    card: StoredJson,
    #[diesel(sql_type = Text)]
    visibility: String,
    /// The card's `updated_at` (the agent's has the plain name).
    #[diesel(sql_type = Timestamptz)]
    card_updated_at: Timestamp,
    #[diesel(sql_type = Double)]
    score: f64,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// The number of matches alone (an empty page past the end).
#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    total: i64,
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
            let rows: Vec<HitRow> = search_statement(&query, org, Select::Page).load(conn)?;
            let total = match rows.first() {
                Some(row) => row.total,
                None if query.offset > 0 => {
                    let count: CountRow =
                        search_statement(&query, org, Select::Count).get_result(conn)?;
                    count.total
                }
                None => 0,
            };
            Ok((rows, total))
        })
        .await?;
        let hits = hits
            .into_iter()
            .filter_map(|row| {
                let card = CardRow {
                    agent_id: row.agent.id,
                    card: row.card,
                    visibility: row.visibility,
                    updated_at: row.card_updated_at,
                };
                let hit = (|| {
                    Ok::<_, RepoError>(SearchHit {
                        agent: row.agent.try_into()?,
                        card: card.try_into()?,
                        score: row.score,
                    })
                })();
                crate::paging::kept(hit)
            })
            .collect();
        Ok(SearchPage {
            hits,
            total: u64::try_from(total).unwrap_or(0),
        })
    }
}

/// What a search statement selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Select {
    /// The page, each row with its score and the number of matches.
    Page,
    /// Only the number of matches.
    Count,
    /// The page statement under `EXPLAIN`.
    Explain,
}

/// A value bound to a search statement.
enum Bind {
    Uuid(Uuid),
    Uuids(Vec<Uuid>),
    Text(String),
    Texts(Vec<String>),
    Int(i32),
}

/// Binds `bind` as the next parameter: its placeholder.
fn next(binds: &mut Vec<Bind>, bind: Bind) -> String {
    binds.push(bind);
    format!("${}", binds.len())
}

/// The search statement for `query` in `org`: only the clauses the query needs, so each
/// filter is visible to the planner. With a text or facet filter, the matching cards are
/// found first through their GIN indexes (a materialized CTE: otherwise the planner may walk
/// every agent in name order, hoping to stop after one page, which the total forbids), then
/// joined to their live agents by key.
fn search_statement(
    query: &CardSearch,
    org: Uuid,
    select: Select,
) -> BoxedSqlQuery<'static, Pg, diesel::query_builder::SqlQuery> {
    let mut binds: Vec<Bind> = vec![Bind::Uuid(org)];
    let mut card_filters = vec!["c.org_id = $1".to_owned()];
    let mut filters = vec![
        "a.org_id = $1".to_owned(),
        "a.status <> 'Deleted'".to_owned(),
    ];
    let mut score = "0::float8".to_owned();
    if let Some(words) = &query.words {
        let p = next(&mut binds, Bind::Text(words.clone()));
        card_filters.push(format!("c.search_doc @@ plainto_tsquery('simple', {p})"));
        score = format!("ts_rank(c.search_doc, plainto_tsquery('simple', {p}))::float8");
    }
    let all: Vec<String> = query
        .skills
        .iter()
        .cloned()
        .map(Facet::Skill)
        .chain(query.tags.iter().cloned().map(Facet::Tag))
        .chain(query.input_modes.iter().cloned().map(Facet::InputMode))
        .chain(query.output_modes.iter().cloned().map(Facet::OutputMode))
        .map(|f| f.key())
        .collect();
    if !all.is_empty() {
        let p = next(&mut binds, Bind::Texts(all));
        card_filters.push(format!("c.facets @> {p}::text[]"));
    }
    for capability in &query.capabilities {
        let any = capability_facets(capability)
            .iter()
            .map(Facet::key)
            .collect();
        let p = next(&mut binds, Bind::Texts(any));
        card_filters.push(format!("c.facets && {p}::text[]"));
    }
    if !query.statuses.is_empty() {
        let statuses = query
            .statuses
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect();
        let p = next(&mut binds, Bind::Texts(statuses));
        filters.push(format!("a.status = ANY({p}::text[])"));
    }
    if let Some(ids) = &query.only_ids {
        let ids = ids.iter().map(|id| id.as_uuid()).collect();
        let p = next(&mut binds, Bind::Uuids(ids));
        filters.push(format!("a.id = ANY({p}::uuid[])"));
    }
    if let Some(principal) = &query.granted_to {
        let p = next(&mut binds, Bind::Text(principal.to_string()));
        filters.push(format!(
            "EXISTS (SELECT 1 FROM grants g WHERE g.org_id = $1 AND g.principal = {p} \
             AND g.agent_id = a.id AND g.agent_live)"
        ));
    }
    let cards = format!(
        "SELECT c.agent_id, c.card, c.visibility, c.updated_at, {score} AS score \
         FROM agent_cards c WHERE {}",
        card_filters.join(" AND ")
    );
    let (with, from) = if card_filters.len() > 1 {
        (format!("WITH c AS MATERIALIZED ({cards}) "), "c".to_owned())
    } else {
        (String::new(), format!("({cards}) c"))
    };
    let from = format!(
        "FROM {from} JOIN agents a ON a.id = c.agent_id WHERE {}",
        filters.join(" AND ")
    );
    let sql = match select {
        Select::Count => format!("{with}SELECT count(*) AS total {from}"),
        Select::Page | Select::Explain => {
            let limit = next(
                &mut binds,
                Bind::Int(i32::try_from(query.limit).unwrap_or(i32::MAX)),
            );
            let offset = next(
                &mut binds,
                Bind::Int(i32::try_from(query.offset).unwrap_or(i32::MAX)),
            );
            let explain = if select == Select::Explain {
                "EXPLAIN "
            } else {
                ""
            };
            format!(
                "{explain}{with}SELECT a.*, c.card, c.visibility, c.updated_at AS card_updated_at, \
                 c.score, count(*) OVER () AS total {from} \
                 ORDER BY score DESC, a.name, a.id LIMIT {limit} OFFSET {offset}"
            )
        }
    };
    binds
        .into_iter()
        .fold(diesel::sql_query(sql).into_boxed(), |q, b| match b {
            Bind::Uuid(v) => q.bind::<SqlUuid, _>(v),
            Bind::Uuids(v) => q.bind::<Array<SqlUuid>, _>(v),
            Bind::Text(v) => q.bind::<Text, _>(v),
            Bind::Texts(v) => q.bind::<Array<Text>, _>(v),
            Bind::Int(v) => q.bind::<Integer, _>(v),
        })
}

/// One line of a plan.
#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

impl PgStore {
    /// The plan PostgreSQL chooses for the search statement of `query` in this store's org,
    /// one line per plan line (`EXPLAIN`, not run): for tests and docs/explain.md.
    pub async fn explain_search(&self, query: &CardSearch) -> RepoResult<Vec<String>> {
        let (query, org) = (query.clone(), self.org());
        run(&self.pool, move |conn: &mut PgConnection| {
            let lines: Vec<PlanLine> = search_statement(&query, org, Select::Explain).load(conn)?;
            Ok(lines.into_iter().map(|l| l.line).collect())
        })
        .await
    }
}
