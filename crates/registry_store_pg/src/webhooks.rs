//! [`WebhookRepository`] (scoped by the store's org) and [`WebhookQueue`] (the workers', every
//! org) on `webhooks` and `webhook_deliveries`. Leases and due times use the database clock, so
//! replicas agree on them; a claim takes due rows `FOR UPDATE SKIP LOCKED` and stamps them with
//! a fresh token and expiry in the same statement, and every later write under the claim is
//! conditioned on that token.

use crate::error::TxError;
use crate::feed::agent_events_watermark;
use crate::paging::{bounded_count, page_from, Counting};
use crate::pool::{run, run_tx};
use crate::schema::{agent_events, webhook_deliveries, webhooks};
use crate::PgStore;
use async_trait::async_trait;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Int4, Int8, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use registry_domain::{
    Delivery, EventKind, OrgId, OrgRef, OrgSlug, Page, PageRequest, PreviousSecret, Timestamp,
    Webhook, WebhookChanges, WebhookId, WebhookSecret, WebhookStatus,
};
use registry_ports::{
    AttemptResult, Claim, LeaseToken, RepoError, RepoResult, WebhookQueue, WebhookRepository,
};
use std::time::Duration;
use uuid::Uuid;

/// One `webhooks` row, every column.
#[derive(Debug, Clone, Queryable, Selectable, QueryableByName, Insertable)]
#[diesel(table_name = webhooks, check_for_backend(diesel::pg::Pg))]
struct WebhookRow {
    id: Uuid,
    org_id: Uuid,
    url: String,
    event_kinds: Option<Vec<String>>,
    description: String,
    status: String,
    failing_reason: Option<String>,
    secret: Vec<u8>,
    previous_secret: Option<Vec<u8>>,
    previous_secret_until: Option<Timestamp>,
    position: i64,
    attempt: i32,
    failing_since: Option<Timestamp>,
    next_attempt_at: Timestamp,
    lease_token: Option<Uuid>,
    lease_until: Option<Timestamp>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl WebhookRow {
    fn new(w: &Webhook, org: OrgId) -> Self {
        Self {
            id: w.id.as_uuid(),
            org_id: org.as_uuid(),
            url: w.url.clone(),
            event_kinds: w
                .event_kinds
                .as_ref()
                .map(|kinds| kinds.iter().map(|k| k.as_str().to_owned()).collect()),
            description: w.description.clone(),
            status: w.status.as_str().to_owned(),
            failing_reason: w.failing_reason.clone(),
            secret: w.secret.as_bytes().to_vec(),
            previous_secret: w
                .previous_secret
                .as_ref()
                .map(|p| p.secret.as_bytes().to_vec()),
            previous_secret_until: w.previous_secret.as_ref().map(|p| p.until),
            position: w.position,
            attempt: 0,
            failing_since: None,
            next_attempt_at: w.created_at,
            lease_token: None,
            lease_until: None,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }

    fn into_webhook(self) -> RepoResult<Webhook> {
        let corrupt = |what: &str| {
            RepoError::Unexpected(format!("corrupt webhook {}: {what}", self.id).into())
        };
        let event_kinds = match &self.event_kinds {
            None => None,
            Some(kinds) => Some(
                kinds
                    .iter()
                    .map(|k| EventKind::parse(k).ok_or_else(|| corrupt("event_kinds")))
                    .collect::<RepoResult<Vec<_>>>()?,
            ),
        };
        let status = WebhookStatus::parse(&self.status).ok_or_else(|| corrupt("status"))?;
        let previous_secret = match (self.previous_secret, self.previous_secret_until) {
            (Some(secret), Some(until)) => Some(PreviousSecret {
                secret: WebhookSecret::from_bytes(secret),
                until,
            }),
            _ => None,
        };
        Ok(Webhook {
            id: WebhookId::from_uuid(self.id),
            org: OrgId::from_uuid(self.org_id),
            url: self.url,
            event_kinds,
            description: self.description,
            status,
            failing_reason: self.failing_reason,
            secret: WebhookSecret::from_bytes(self.secret),
            previous_secret,
            position: self.position,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// A claimed row and its org's slug.
#[derive(QueryableByName)]
struct ClaimedRow {
    #[diesel(embed)]
    webhook: WebhookRow,
    #[diesel(sql_type = Text)]
    org_slug: String,
}

impl ClaimedRow {
    fn into_claim(self) -> RepoResult<Claim> {
        let row = self.webhook;
        let token = LeaseToken(row.lease_token.map_or(0, |t| t.as_u128()));
        let failures = u32::try_from(row.attempt).unwrap_or(0);
        let failing_since = row.failing_since;
        let org = OrgRef {
            id: OrgId::from_uuid(row.org_id),
            slug: OrgSlug::parse(&self.org_slug, "slug").map_err(|_| {
                RepoError::Unexpected(format!("corrupt org slug of webhook {}", row.id).into())
            })?,
        };
        Ok(Claim {
            webhook: row.into_webhook()?,
            org,
            token,
            failures,
            failing_since,
        })
    }
}

/// One `webhook_deliveries` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::pg::Pg))]
struct DeliveryRow {
    webhook_id: Uuid,
    org_id: Uuid,
    seq: i64,
    event_id: i64,
    attempt: i32,
    status_code: Option<i32>,
    error: Option<String>,
    duration_ms: i32,
    at: Timestamp,
    next_attempt_at: Option<Timestamp>,
}

impl DeliveryRow {
    fn into_delivery(self) -> Delivery {
        Delivery {
            webhook_id: WebhookId::from_uuid(self.webhook_id),
            seq: self.seq,
            event_id: self.event_id,
            attempt: u32::try_from(self.attempt).unwrap_or(0),
            status_code: self.status_code.and_then(|c| u16::try_from(c).ok()),
            error: self.error,
            duration_ms: u32::try_from(self.duration_ms).unwrap_or(0),
            at: self.at,
            next_attempt_at: self.next_attempt_at,
        }
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[async_trait]
impl WebhookRepository for PgStore {
    async fn create_webhook(&self, webhook: &Webhook) -> RepoResult<Webhook> {
        let mut row = WebhookRow::new(webhook, self.org);
        let stored: WebhookRow = run_tx(&self.pool, move |conn| {
            // The feed's head: the last event below the watermark (every event a reader can
            // see now; none can still appear below it).
            row.position = agent_events::table
                .filter(agent_events::org_id.eq(row.org_id))
                .filter(agent_events::seq.lt(agent_events_watermark()))
                .select(diesel::dsl::max(agent_events::seq))
                .first::<Option<i64>>(conn)?
                .unwrap_or(0);
            Ok(diesel::insert_into(webhooks::table)
                .values(&row)
                .returning(WebhookRow::as_returning())
                .get_result(conn)?)
        })
        .await?;
        stored.into_webhook()
    }

    async fn list_webhooks(&self, page: PageRequest) -> RepoResult<Page<Webhook>> {
        let (bound, org) = (self.count_bound, self.org.as_uuid());
        run(&self.pool, move |conn| {
            let mine = || webhooks::table.filter(webhooks::org_id.eq(org));
            let rows: Vec<(WebhookRow, i64)> = mine()
                .order_by((webhooks::created_at.asc(), webhooks::id.asc()))
                .select((WebhookRow::as_select(), bounded_count(mine(), bound)))
                .limit(i64::from(page.limit()))
                .offset(i64::try_from(page.offset()).unwrap_or(i64::MAX))
                .load(conn)?;
            page_from(
                rows,
                page,
                Counting::Bounded(bound),
                WebhookRow::into_webhook,
                || {
                    diesel::select(bounded_count(mine(), bound))
                        .get_result(conn)
                        .map_err(crate::error::map_diesel)
                },
            )
            .map_err(TxError::Repo)
        })
        .await
    }

    async fn get_webhook(&self, id: WebhookId) -> RepoResult<Option<Webhook>> {
        let org = self.org.as_uuid();
        let row: Option<WebhookRow> = run(&self.pool, move |conn| {
            Ok(webhooks::table
                .filter(webhooks::org_id.eq(org))
                .filter(webhooks::id.eq(id.as_uuid()))
                .select(WebhookRow::as_select())
                .first(conn)
                .optional()?)
        })
        .await?;
        row.map(WebhookRow::into_webhook).transpose()
    }

    async fn update_webhook(
        &self,
        id: WebhookId,
        changes: &WebhookChanges,
        at: Timestamp,
    ) -> RepoResult<Webhook> {
        let org = self.org.as_uuid();
        let changes = changes.clone();
        let row: WebhookRow = run_tx(&self.pool, move |conn| {
            let mine = webhooks::table
                .filter(webhooks::org_id.eq(org))
                .filter(webhooks::id.eq(id.as_uuid()));
            let current: WebhookRow = mine
                .select(WebhookRow::as_select())
                .for_update()
                .first(conn)
                .optional()?
                .ok_or(RepoError::NotFound)?;
            let mut next = current.clone();
            if let Some(url) = changes.url {
                next.url = url;
            }
            if let Some(kinds) = changes.event_kinds {
                next.event_kinds =
                    kinds.map(|ks| ks.iter().map(|k| k.as_str().to_owned()).collect());
            }
            if let Some(description) = changes.description {
                next.description = description;
            }
            if let Some(status) = changes.status {
                if status == WebhookStatus::Enabled && current.status != status.as_str() {
                    next.failing_reason = None;
                    next.attempt = 0;
                    next.failing_since = None;
                    next.next_attempt_at = at;
                }
                next.status = status.as_str().to_owned();
            }
            next.updated_at = at;
            Ok(diesel::update(mine)
                .set((
                    webhooks::url.eq(next.url),
                    webhooks::event_kinds.eq(next.event_kinds),
                    webhooks::description.eq(next.description),
                    webhooks::status.eq(next.status),
                    webhooks::failing_reason.eq(next.failing_reason),
                    webhooks::attempt.eq(next.attempt),
                    webhooks::failing_since.eq(next.failing_since),
                    webhooks::next_attempt_at.eq(next.next_attempt_at),
                    webhooks::updated_at.eq(next.updated_at),
                ))
                .returning(WebhookRow::as_returning())
                .get_result(conn)?)
        })
        .await?;
        row.into_webhook()
    }

    async fn delete_webhook(&self, id: WebhookId) -> RepoResult<()> {
        let org = self.org.as_uuid();
        let deleted = run(&self.pool, move |conn| {
            Ok(diesel::delete(
                webhooks::table
                    .filter(webhooks::org_id.eq(org))
                    .filter(webhooks::id.eq(id.as_uuid())),
            )
            .execute(conn)?)
        })
        .await?;
        if deleted == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }

    async fn rotate_webhook_secret(
        &self,
        id: WebhookId,
        secret: &WebhookSecret,
        previous_until: Timestamp,
        at: Timestamp,
    ) -> RepoResult<Webhook> {
        let org = self.org.as_uuid();
        let secret = secret.as_bytes().to_vec();
        let row: Option<WebhookRow> = run(&self.pool, move |conn| {
            // One statement: the replaced key is the one the row held, whatever ran before.
            Ok(diesel::update(
                webhooks::table
                    .filter(webhooks::org_id.eq(org))
                    .filter(webhooks::id.eq(id.as_uuid())),
            )
            .set((
                webhooks::previous_secret.eq(webhooks::secret.nullable()),
                webhooks::previous_secret_until.eq(Some(previous_until)),
                webhooks::secret.eq(secret),
                webhooks::updated_at.eq(at),
            ))
            .returning(WebhookRow::as_returning())
            .get_result(conn)
            .optional()?)
        })
        .await?;
        row.ok_or(RepoError::NotFound)?.into_webhook()
    }

    async fn replay_webhook(
        &self,
        id: WebhookId,
        after: i64,
        at: Timestamp,
    ) -> RepoResult<Webhook> {
        let org = self.org.as_uuid();
        let row: Option<WebhookRow> = run(&self.pool, move |conn| {
            Ok(diesel::sql_query(
                "UPDATE webhooks SET position = $3, attempt = 0, failing_since = NULL,
                        next_attempt_at = $4, lease_token = NULL, lease_until = NULL,
                        status = CASE WHEN status = 'failing' THEN 'enabled' ELSE status END,
                        failing_reason = CASE WHEN status = 'failing' THEN NULL
                                              ELSE failing_reason END,
                        updated_at = $4
                  WHERE org_id = $1 AND id = $2
              RETURNING *",
            )
            .bind::<SqlUuid, _>(org)
            .bind::<SqlUuid, _>(id.as_uuid())
            .bind::<Int8, _>(after)
            .bind::<Timestamptz, _>(at)
            .get_result(conn)
            .optional()?)
        })
        .await?;
        row.ok_or(RepoError::NotFound)?.into_webhook()
    }

    async fn list_deliveries(&self, id: WebhookId, limit: u32) -> RepoResult<Page<Delivery>> {
        let (bound, org) = (self.count_bound, self.org.as_uuid());
        run_tx(&self.pool, move |conn| {
            let exists: bool = diesel::select(diesel::dsl::exists(
                webhooks::table
                    .filter(webhooks::org_id.eq(org))
                    .filter(webhooks::id.eq(id.as_uuid())),
            ))
            .get_result(conn)?;
            if !exists {
                return Err(RepoError::NotFound.into());
            }
            let mine = || {
                webhook_deliveries::table
                    .filter(webhook_deliveries::org_id.eq(org))
                    .filter(webhook_deliveries::webhook_id.eq(id.as_uuid()))
            };
            let rows: Vec<DeliveryRow> = mine()
                .order_by(webhook_deliveries::id.desc())
                .select(DeliveryRow::as_select())
                .limit(i64::from(limit))
                .load(conn)?;
            let counted: i64 = diesel::select(bounded_count(mine(), bound)).get_result(conn)?;
            let items = rows.into_iter().map(DeliveryRow::into_delivery).collect();
            Ok(Page::bounded(
                items,
                u64::try_from(counted).unwrap_or(0),
                bound,
            ))
        })
        .await
    }
}

#[async_trait]
impl WebhookQueue for PgStore {
    async fn claim_due(&self, lease: Duration, limit: u32) -> RepoResult<Vec<Claim>> {
        let rows: Vec<ClaimedRow> = run(&self.pool, move |conn| {
            // Each claimed row gets its own token: a claim is one worker's hold on one row.
            Ok(diesel::sql_query(
                "UPDATE webhooks SET lease_token = gen_random_uuid(),
                        lease_until = now() + $1 * interval '1 millisecond'
                  WHERE id IN (
                        SELECT id FROM webhooks
                         WHERE status = 'enabled' AND next_attempt_at <= now()
                           AND (lease_until IS NULL OR lease_until <= now())
                         ORDER BY next_attempt_at
                         LIMIT $2
                           FOR UPDATE SKIP LOCKED)
              RETURNING webhooks.*,
                        (SELECT slug FROM orgs WHERE orgs.id = webhooks.org_id) AS org_slug",
            )
            .bind::<BigInt, _>(millis(lease))
            .bind::<BigInt, _>(i64::from(limit))
            .load(conn)?)
        })
        .await?;
        rows.into_iter().map(ClaimedRow::into_claim).collect()
    }

    async fn record_attempt(
        &self,
        token: LeaseToken,
        delivery: &Delivery,
        result: &AttemptResult,
        lease: Duration,
        keep: u32,
    ) -> RepoResult<bool> {
        let token = Uuid::from_u128(token.0);
        let d = delivery.clone();
        let result = result.clone();
        run_tx(&self.pool, move |conn| {
            let id = d.webhook_id.as_uuid();
            let attempt = i32::try_from(d.attempt).unwrap_or(i32::MAX);
            // The subscription's state first, conditioned on the claim; the log row only if
            // the claim held.
            let held: Option<Held> = match &result {
                AttemptResult::Delivered => diesel::sql_query(
                    "UPDATE webhooks SET position = GREATEST(position, $3), attempt = 0,
                            failing_since = NULL,
                            lease_until = now() + $4 * interval '1 millisecond'
                      WHERE id = $1 AND lease_token = $2
                  RETURNING org_id, NULL::timestamptz AS next_attempt_at",
                )
                .bind::<SqlUuid, _>(id)
                .bind::<SqlUuid, _>(token)
                .bind::<Int8, _>(d.seq)
                .bind::<BigInt, _>(millis(lease))
                .get_result(conn)
                .optional()?,
                AttemptResult::Retry { after } => diesel::sql_query(
                    "UPDATE webhooks SET attempt = $3, failing_since = COALESCE(failing_since, $4),
                            next_attempt_at = now() + $5 * interval '1 millisecond',
                            lease_token = NULL, lease_until = NULL
                      WHERE id = $1 AND lease_token = $2
                  RETURNING org_id, next_attempt_at",
                )
                .bind::<SqlUuid, _>(id)
                .bind::<SqlUuid, _>(token)
                .bind::<Int4, _>(attempt)
                .bind::<Timestamptz, _>(d.at)
                .bind::<BigInt, _>(millis(*after))
                .get_result(conn)
                .optional()?,
                AttemptResult::GiveUp { reason } => diesel::sql_query(
                    "UPDATE webhooks SET attempt = $3, status = 'failing', failing_reason = $4,
                            lease_token = NULL, lease_until = NULL
                      WHERE id = $1 AND lease_token = $2
                  RETURNING org_id, NULL::timestamptz AS next_attempt_at",
                )
                .bind::<SqlUuid, _>(id)
                .bind::<SqlUuid, _>(token)
                .bind::<Int4, _>(attempt)
                .bind::<Text, _>(reason)
                .get_result(conn)
                .optional()?,
            };
            let Some(held) = held else {
                return Ok(false);
            };
            diesel::insert_into(webhook_deliveries::table)
                .values(DeliveryRow {
                    webhook_id: id,
                    org_id: held.org_id,
                    seq: d.seq,
                    event_id: d.event_id,
                    attempt,
                    status_code: d.status_code.map(i32::from),
                    error: d.error,
                    duration_ms: i32::try_from(d.duration_ms).unwrap_or(i32::MAX),
                    at: d.at,
                    next_attempt_at: held.next_attempt_at,
                })
                .execute(conn)?;
            // The newest `keep` attempts stay: the boundary is read from the log's index.
            diesel::sql_query(
                "DELETE FROM webhook_deliveries
                  WHERE webhook_id = $1
                    AND id <= (SELECT id FROM webhook_deliveries WHERE webhook_id = $1
                                ORDER BY id DESC OFFSET $2 LIMIT 1)",
            )
            .bind::<SqlUuid, _>(id)
            .bind::<BigInt, _>(i64::from(keep))
            .execute(conn)?;
            Ok(true)
        })
        .await
    }

    async fn skip_to(
        &self,
        token: LeaseToken,
        webhook: WebhookId,
        position: i64,
        lease: Duration,
    ) -> RepoResult<bool> {
        let token = Uuid::from_u128(token.0);
        let changed = run(&self.pool, move |conn| {
            Ok(diesel::sql_query(
                "UPDATE webhooks SET position = GREATEST(position, $3),
                        lease_until = now() + $4 * interval '1 millisecond'
                  WHERE id = $1 AND lease_token = $2",
            )
            .bind::<SqlUuid, _>(webhook.as_uuid())
            .bind::<SqlUuid, _>(token)
            .bind::<Int8, _>(position)
            .bind::<BigInt, _>(millis(lease))
            .execute(conn)?)
        })
        .await?;
        Ok(changed == 1)
    }

    async fn release(
        &self,
        token: LeaseToken,
        webhook: WebhookId,
        after: Duration,
    ) -> RepoResult<bool> {
        let token = Uuid::from_u128(token.0);
        let changed = run(&self.pool, move |conn| {
            Ok(diesel::sql_query(
                "UPDATE webhooks SET lease_token = NULL, lease_until = NULL,
                        next_attempt_at = now() + $3 * interval '1 millisecond'
                  WHERE id = $1 AND lease_token = $2",
            )
            .bind::<SqlUuid, _>(webhook.as_uuid())
            .bind::<SqlUuid, _>(token)
            .bind::<BigInt, _>(millis(after))
            .execute(conn)?)
        })
        .await?;
        Ok(changed == 1)
    }
}

/// What `record_attempt` reads back from a subscription it updated under its claim.
#[derive(QueryableByName)]
struct Held {
    #[diesel(sql_type = SqlUuid)]
    org_id: Uuid,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    next_attempt_at: Option<Timestamp>,
}
