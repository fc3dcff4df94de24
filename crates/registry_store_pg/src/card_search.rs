//! `CardRepository::search` in one statement (contract §11): the agents whose own registry
//! document (name, description; `agents_search_idx`) or whose card (`agent_cards_search_idx`,
//! `agent_cards_facets_idx`) match, each with its card when it has one (see
//! `migrations/2026-11-28-120000_agent_cards` and `migrations/2026-11-29-120000_agents_search`).

use crate::cards::CardRow;
use crate::pool::run;
use crate::rows::AgentRow;
use crate::stored_json::StoredJson;
use crate::PgStore;
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{
    Array, BigInt, Double, Integer, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use registry_domain::{capability_facets, Facet, Timestamp};
use registry_ports::{CardSearch, RepoError, RepoResult, SearchHit};
use uuid::Uuid;

/// One search result row: the agent, its card if any, the score and the number of matches.
#[derive(QueryableByName)]
struct HitRow {
    #[diesel(embed)]
    agent: AgentRow,
    #[diesel(sql_type = Nullable<Jsonb>)]
    card: Option<StoredJson>,
    #[diesel(sql_type = Nullable<Text>)]
    visibility: Option<String>,
    /// The card's `updated_at` (the agent's has the plain name).
    #[diesel(sql_type = Nullable<Timestamptz>)]
    card_updated_at: Option<Timestamp>,
    #[diesel(sql_type = Double)]
    score: f64,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

impl TryFrom<HitRow> for SearchHit {
    type Error = RepoError;

    fn try_from(row: HitRow) -> RepoResult<Self> {
        let agent_id = row.agent.id;
        let card = row
            .card
            .zip(row.visibility)
            .zip(row.card_updated_at)
            .map(|((card, visibility), updated_at)| {
                CardRow {
                    agent_id,
                    card,
                    visibility,
                    updated_at,
                }
                .try_into()
            })
            .transpose()?;
        Ok(SearchHit {
            agent: row.agent.try_into()?,
            card,
            score: row.score,
        })
    }
}

/// The number of matches alone (an empty page past the end).
#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// A page of `query` in `org`, on one connection: one statement, plus a count when the page is
/// past the end.
pub(crate) fn search_page(
    conn: &mut PgConnection,
    query: &CardSearch,
    org: Uuid,
) -> QueryResult<(Vec<SearchHit>, i64)> {
    let rows: Vec<HitRow> = search_statement(query, org, Select::Page).load(conn)?;
    let total = match rows.first() {
        Some(row) => row.total,
        None if query.offset > 0 => {
            let count: CountRow = search_statement(query, org, Select::Count).get_result(conn)?;
            count.total
        }
        None => 0,
    };
    let hits = rows
        .into_iter()
        .filter_map(|row| crate::paging::kept(row.try_into()))
        .collect();
    Ok((hits, total))
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

/// The agent's own registry document over the agents row `alias`: exactly the expression
/// `agents_search_idx` indexes (the planner uses an expression index only for the same
/// expression).
fn agent_doc(alias: &str) -> String {
    format!(
        "(setweight(to_tsvector('simple', {alias}.name), 'A') \
         || setweight(to_tsvector('simple', {alias}.description), 'B'))"
    )
}

/// The search statement for `query` in `org`: only the clauses the query needs, so each
/// filter is visible to the planner. The candidates come first through the GIN indexes, in a
/// materialized CTE (otherwise the planner may walk every agent in name order, hoping to stop
/// after one page, which the total forbids), then are joined to their live agents by key:
/// - with a facet filter, the cards having the facets (and, with `q`, whose document or whose
///   agent's document holds every word); an agent without a card never matches;
/// - with `q` alone, the agents whose own document holds every word UNION those whose card's
///   does, each LEFT JOINed to its card;
/// - with neither, the org's agents LEFT JOINed to their cards.
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
    let words = query.words.as_ref().map(|words| {
        let p = next(&mut binds, Bind::Text(words.clone()));
        format!("plainto_tsquery('simple', {p})")
    });
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
    let own = agent_doc("x");
    let (with, from) = match (&words, card_filters.len() > 1) {
        (words, true) => {
            if let Some(t) = words {
                card_filters.push(format!(
                    "(c.search_doc @@ {t} OR c.agent_id IN (SELECT x.id FROM agents x \
                     WHERE x.org_id = $1 AND {own} @@ {t}))"
                ));
            }
            // The document only when the score reads it.
            let doc = if words.is_some() {
                ", c.search_doc"
            } else {
                ""
            };
            (
                format!(
                    "WITH c AS MATERIALIZED (SELECT c.agent_id, c.card, c.visibility, \
                     c.updated_at{doc} FROM agent_cards c WHERE {}) ",
                    card_filters.join(" AND ")
                ),
                "FROM c JOIN agents a ON a.id = c.agent_id".to_owned(),
            )
        }
        (Some(t), false) => (
            format!(
                "WITH m AS MATERIALIZED (SELECT x.id FROM agents x WHERE x.org_id = $1 \
                 AND x.status <> 'Deleted' AND {own} @@ {t} \
                 UNION SELECT c.agent_id FROM agent_cards c \
                 WHERE c.org_id = $1 AND c.search_doc @@ {t}) "
            ),
            "FROM m JOIN agents a ON a.id = m.id \
             LEFT JOIN agent_cards c ON c.agent_id = a.id AND c.org_id = $1"
                .to_owned(),
        ),
        (None, false) => (
            String::new(),
            "FROM agents a LEFT JOIN agent_cards c ON c.agent_id = a.id AND c.org_id = $1"
                .to_owned(),
        ),
    };
    let from = format!("{from} WHERE {}", filters.join(" AND "));
    // The better of the two ranks, each counted only where its document holds every word.
    let score = match &words {
        None => "0::float8".to_owned(),
        Some(t) => {
            let own = agent_doc("a");
            format!(
                "greatest(\
                 CASE WHEN c.search_doc @@ {t} THEN ts_rank(c.search_doc, {t}) ELSE 0 END, \
                 CASE WHEN {own} @@ {t} THEN ts_rank({own}, {t}) ELSE 0 END)::float8"
            )
        }
    };
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
                 {score} AS score, count(*) OVER () AS total {from} \
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
