//! `WebhookRepository` (scoped to its org) and `WebhookQueue` (the workers' claims): what both
//! stores promise about subscriptions, leases, retry state and the delivery log.

use crate::fixtures::*;
use crate::Subject;
use registry_domain::{
    Delivery, EventKind, OrgId, PreviousSecret, Webhook, WebhookChanges, WebhookId, WebhookSecret,
    WebhookStatus,
};
use registry_ports::{AttemptResult, Claim, FeedQuery, Ports, RepoError};
use std::collections::HashSet;
use std::ops::RangeInclusive;
use std::time::Duration;

const LEASE: Duration = Duration::from_secs(30);
/// Attempts a delivery log keeps in the tests that do not test the bound.
const KEEP: u32 = 100;

/// An unsaved, enabled subscription of `org` at `position`.
pub fn webhook(org: OrgId, position: i64) -> Webhook {
    let at = now();
    Webhook {
        id: WebhookId::new_random(),
        org,
        url: "https://hooks.example.com/in".to_owned(),
        event_kinds: Some(vec![EventKind::Created, EventKind::Transition]),
        description: "ci".to_owned(),
        status: WebhookStatus::Enabled,
        failing_reason: None,
        secret: WebhookSecret::from_bytes(vec![7; 32]),
        previous_secret: None,
        position,
        created_at: at,
        updated_at: at,
    }
}

/// A delivery-log row for an attempt at `seq`.
fn attempt(webhook: &Webhook, seq: i64, attempt: u32, status: Option<u16>) -> Delivery {
    Delivery {
        webhook_id: webhook.id,
        seq,
        event_id: seq,
        attempt,
        status_code: status,
        error: status.filter(|s| *s >= 300).map(|s| format!("HTTP {s}")),
        duration_ms: 12,
        at: now(),
        next_attempt_at: None,
    }
}

/// Stores a new subscription of the default org and moves it to `position` (a new one starts
/// at the feed's head).
async fn stored_at(ports: &Ports, position: i64) -> Webhook {
    let hook = ports
        .webhooks
        .create_webhook(&webhook(OrgId::DEFAULT, 0))
        .await
        .unwrap();
    ports
        .webhooks
        .replay_webhook(hook.id, position, now())
        .await
        .unwrap()
}

async fn claim_one(ports: &Ports) -> Option<Claim> {
    let mut claims = ports.webhook_queue.claim_due(LEASE, 10).await.unwrap();
    assert!(claims.len() <= 1, "{claims:?}");
    claims.pop()
}

/// Created subscriptions read back equal (secret bytes included), list oldest first with the
/// total, change as asked, and are gone after delete; another org sees none of them.
pub async fn round_trip_within_their_org(subject: Subject) {
    let ports = subject.default_ports();
    let first = webhook(OrgId::DEFAULT, 0);
    let mut second = webhook(OrgId::DEFAULT, 0);
    second.event_kinds = None;
    second.created_at = first.created_at + time::Duration::seconds(1);
    assert_eq!(ports.webhooks.create_webhook(&first).await.unwrap(), first);
    assert_eq!(
        ports.webhooks.create_webhook(&second).await.unwrap(),
        second
    );
    let got = ports.webhooks.get_webhook(first.id).await.unwrap();
    assert_eq!(got.as_ref(), Some(&first));
    let listed = ports.webhooks.list_webhooks(page(10, 1)).await.unwrap();
    assert_eq!(
        (listed.items, listed.total),
        (vec![first.clone(), second.clone()], 2)
    );

    let (_, other) = subject.new_org("hooks", None).await;
    assert_eq!(other.webhooks.get_webhook(first.id).await.unwrap(), None);
    assert_eq!(
        other
            .webhooks
            .list_webhooks(page(10, 1))
            .await
            .unwrap()
            .total,
        0
    );
    let change = WebhookChanges {
        description: Some("theirs".to_owned()),
        ..WebhookChanges::default()
    };
    let refused = other
        .webhooks
        .update_webhook(first.id, &change, now())
        .await;
    assert_eq!(refused, Err(RepoError::NotFound));
    assert_eq!(
        other.webhooks.delete_webhook(first.id).await,
        Err(RepoError::NotFound)
    );

    let at = now();
    let changes = WebhookChanges {
        url: Some("https://other.example.com/x".to_owned()),
        event_kinds: Some(None),
        description: Some("changed".to_owned()),
        status: Some(WebhookStatus::Disabled),
    };
    let changed = ports
        .webhooks
        .update_webhook(first.id, &changes, at)
        .await
        .unwrap();
    let expected = Webhook {
        url: "https://other.example.com/x".to_owned(),
        event_kinds: None,
        description: "changed".to_owned(),
        status: WebhookStatus::Disabled,
        updated_at: at,
        ..first.clone()
    };
    assert_eq!(changed, expected);
    ports.webhooks.delete_webhook(first.id).await.unwrap();
    assert_eq!(ports.webhooks.get_webhook(first.id).await.unwrap(), None);
    assert_eq!(
        ports.webhooks.delete_webhook(first.id).await,
        Err(RepoError::NotFound)
    );
}

/// A rotation makes the new key current and keeps the replaced one until the overlap ends.
pub async fn rotation_keeps_the_replaced_secret_for_the_overlap(subject: Subject) {
    let ports = subject.default_ports();
    let hook = ports
        .webhooks
        .create_webhook(&webhook(OrgId::DEFAULT, 0))
        .await
        .unwrap();
    let (at, until) = (now(), now() + time::Duration::hours(1));
    let fresh = WebhookSecret::from_bytes(vec![9; 32]);
    let rotated = ports
        .webhooks
        .rotate_webhook_secret(hook.id, &fresh, until, at)
        .await
        .unwrap();
    assert_eq!(rotated.secret, fresh);
    assert_eq!(
        rotated.previous_secret,
        Some(PreviousSecret {
            secret: hook.secret.clone(),
            until
        })
    );
    assert_eq!(rotated.signing_keys(at).len(), 2);
    assert_eq!(rotated.signing_keys(until).len(), 1);
    let missing = ports
        .webhooks
        .rotate_webhook_secret(WebhookId::new_random(), &fresh, until, at)
        .await;
    assert_eq!(missing, Err(RepoError::NotFound));
}

/// Concurrent claimers never get the same subscription; disabled ones are never claimed; a
/// claimed one is not claimed again while its lease lasts.
pub async fn concurrent_claims_never_share_a_subscription(subject: Subject) {
    let ports = subject.default_ports();
    let mut ids = HashSet::new();
    for _ in 0..12 {
        let hook = webhook(OrgId::DEFAULT, 0);
        ids.insert(hook.id);
        ports.webhooks.create_webhook(&hook).await.unwrap();
    }
    let mut disabled = webhook(OrgId::DEFAULT, 0);
    disabled.status = WebhookStatus::Disabled;
    ports.webhooks.create_webhook(&disabled).await.unwrap();
    let claimers: Vec<_> = (0..8)
        .map(|_| {
            let queue = ports.webhook_queue.clone();
            tokio::spawn(async move { queue.claim_due(LEASE, 3).await.unwrap() })
        })
        .collect();
    let mut claimed = Vec::new();
    for c in claimers {
        claimed.extend(c.await.unwrap().into_iter().map(|c| c.webhook.id));
    }
    let unique: HashSet<_> = claimed.iter().copied().collect();
    assert_eq!(unique.len(), claimed.len(), "a subscription claimed twice");
    assert_eq!(
        unique, ids,
        "every enabled subscription claimed, the disabled one not"
    );
    assert!(ports
        .webhook_queue
        .claim_due(LEASE, 100)
        .await
        .unwrap()
        .is_empty());
}

/// An expired lease frees the subscription for another worker, and the first worker's writes
/// under its lost claim change nothing.
pub async fn an_expired_lease_passes_to_the_next_claim(subject: Subject) {
    let ports = subject.default_ports();
    let hook = stored_at(&ports, 3).await;
    let short = Duration::from_millis(300);
    let first = ports.webhook_queue.claim_due(short, 1).await.unwrap();
    assert_eq!(first.len(), 1);
    assert!(ports
        .webhook_queue
        .claim_due(short, 1)
        .await
        .unwrap()
        .is_empty());
    tokio::time::sleep(Duration::from_millis(600)).await;
    let second = claim_one(&ports)
        .await
        .expect("the expired lease is claimable");
    assert_eq!(second.webhook.position, 3);
    assert_ne!(second.token, first[0].token);
    let late = ports
        .webhook_queue
        .record_attempt(
            first[0].token,
            &attempt(&hook, 4, 1, Some(200)),
            &AttemptResult::Delivered,
            LEASE,
            KEEP,
        )
        .await
        .unwrap();
    assert!(!late, "the lost claim records nothing");
    assert!(!ports
        .webhook_queue
        .skip_to(first[0].token, hook.id, 9, LEASE)
        .await
        .unwrap());
    assert!(!ports
        .webhook_queue
        .release(first[0].token, hook.id, Duration::ZERO)
        .await
        .unwrap());
    let now_hook = ports.webhooks.get_webhook(hook.id).await.unwrap().unwrap();
    assert_eq!(now_hook.position, 3);
    assert_eq!(
        ports
            .webhooks
            .list_deliveries(hook.id, 10)
            .await
            .unwrap()
            .total,
        0
    );
}

/// A delivered attempt moves the position and keeps the claim; a retried failure counts the
/// attempt, releases the claim and is not due before its delay; giving up marks the
/// subscription `failing` with the reason and keeps its position; the log lists every attempt
/// newest first.
pub async fn attempts_move_the_position_only_when_delivered(subject: Subject) {
    let ports = subject.default_ports();
    let queue = &ports.webhook_queue;
    let hook = stored_at(&ports, 10).await;
    let claim = claim_one(&ports).await.unwrap();
    assert_eq!((claim.failures, claim.failing_since), (0, None));
    assert_eq!(claim.org.slug.as_str(), "default");
    assert_eq!(claim.org.id, OrgId::DEFAULT);
    let ok = attempt(&hook, 11, 1, Some(204));
    assert!(queue
        .record_attempt(claim.token, &ok, &AttemptResult::Delivered, LEASE, KEEP)
        .await
        .unwrap());
    assert!(queue
        .skip_to(claim.token, hook.id, 12, LEASE)
        .await
        .unwrap());
    let failed = attempt(&hook, 13, 1, Some(500));
    let retry = AttemptResult::Retry {
        after: Duration::from_millis(400),
    };
    assert!(queue
        .record_attempt(claim.token, &failed, &retry, LEASE, KEEP)
        .await
        .unwrap());
    assert!(
        !queue
            .release(claim.token, hook.id, Duration::ZERO)
            .await
            .unwrap(),
        "released"
    );
    assert_eq!(
        ports
            .webhooks
            .get_webhook(hook.id)
            .await
            .unwrap()
            .unwrap()
            .position,
        12
    );
    assert!(
        claim_one(&ports).await.is_none(),
        "not due before the delay"
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    let again = claim_one(&ports).await.expect("due after the delay");
    assert_eq!(again.failures, 1);
    assert_eq!(again.failing_since, Some(failed.at));
    let last = attempt(&hook, 13, 2, None);
    let give_up = AttemptResult::GiveUp {
        reason: "connection refused".to_owned(),
    };
    assert!(queue
        .record_attempt(again.token, &last, &give_up, LEASE, KEEP)
        .await
        .unwrap());
    let failing = ports.webhooks.get_webhook(hook.id).await.unwrap().unwrap();
    assert_eq!(failing.status, WebhookStatus::Failing);
    assert_eq!(
        failing.failing_reason.as_deref(),
        Some("connection refused")
    );
    assert_eq!(failing.position, 12);
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert!(
        claim_one(&ports).await.is_none(),
        "a failing subscription is not claimed"
    );

    let log = ports.webhooks.list_deliveries(hook.id, 10).await.unwrap();
    assert_eq!(log.total, 3);
    let seen: Vec<(i64, u32, Option<u16>)> = log
        .items
        .iter()
        .map(|d| (d.seq, d.attempt, d.status_code))
        .collect();
    assert_eq!(
        seen,
        [(13, 2, None), (13, 1, Some(500)), (11, 1, Some(204))]
    );
    assert!(log.items[1].next_attempt_at.is_some_and(|t| t > failed.at));
    assert_eq!(log.items[2].next_attempt_at, None);
    let newest = ports.webhooks.list_deliveries(hook.id, 1).await.unwrap();
    assert_eq!((newest.items.len(), newest.total), (1, 3));
    let missing = ports
        .webhooks
        .list_deliveries(WebhookId::new_random(), 10)
        .await;
    assert_eq!(missing, Err(RepoError::NotFound));
}

/// Records a delivered attempt at each of `seqs` under `claim`, the log keeping `keep`.
async fn deliver_each(ports: &Ports, claim: &Claim, seqs: RangeInclusive<i64>, keep: u32) {
    for seq in seqs {
        let ok = attempt(&claim.webhook, seq, 1, Some(200));
        assert!(ports
            .webhook_queue
            .record_attempt(claim.token, &ok, &AttemptResult::Delivered, LEASE, keep)
            .await
            .unwrap());
    }
}

/// The log keeps each subscription's newest `keep` attempts: older ones are dropped as new ones
/// are logged, newest first as before, and another subscription's log is untouched.
pub async fn the_delivery_log_keeps_the_newest_attempts(subject: Subject) {
    let ports = subject.default_ports();
    let queue = &ports.webhook_queue;
    let hook = stored_at(&ports, 0).await;
    let claim = claim_one(&ports).await.unwrap();
    deliver_each(&ports, &claim, 1..=3, 10).await;
    // Not due again within the test, so the next claim is the other subscription's.
    assert!(queue
        .release(claim.token, hook.id, Duration::from_secs(3600))
        .await
        .unwrap());
    let other = stored_at(&ports, 0).await;
    let other_claim = claim_one(&ports).await.unwrap();
    assert_eq!(other_claim.webhook.id, other.id);
    deliver_each(&ports, &other_claim, 1..=5, 2).await;
    let kept = ports.webhooks.list_deliveries(other.id, 10).await.unwrap();
    let seqs: Vec<i64> = kept.items.iter().map(|d| d.seq).collect();
    assert_eq!((seqs, kept.total), (vec![5, 4], 2));
    let untouched = ports.webhooks.list_deliveries(hook.id, 10).await.unwrap();
    let seqs: Vec<i64> = untouched.items.iter().map(|d| d.seq).collect();
    assert_eq!((seqs, untouched.total), (vec![3, 2, 1], 3));
}

/// Replay moves the position back, re-enables a failing subscription, makes it due at once
/// and takes the claim away from a worker still holding it.
pub async fn replay_rewinds_and_revokes_the_claim(subject: Subject) {
    let ports = subject.default_ports();
    let hook = stored_at(&ports, 40).await;
    let claim = claim_one(&ports).await.unwrap();
    let replayed = ports
        .webhooks
        .replay_webhook(hook.id, 7, now())
        .await
        .unwrap();
    assert_eq!(replayed.position, 7);
    let ok = attempt(&hook, 41, 1, Some(200));
    let recorded = ports
        .webhook_queue
        .record_attempt(claim.token, &ok, &AttemptResult::Delivered, LEASE, KEEP)
        .await
        .unwrap();
    assert!(!recorded, "the claim taken before the replay is void");
    let fresh = claim_one(&ports).await.expect("due at once after a replay");
    assert_eq!(fresh.webhook.position, 7);
    let give_up = AttemptResult::GiveUp {
        reason: "gone".to_owned(),
    };
    let failed = attempt(&hook, 8, 1, Some(410));
    assert!(ports
        .webhook_queue
        .record_attempt(fresh.token, &failed, &give_up, LEASE, KEEP)
        .await
        .unwrap());
    let replayed = ports
        .webhooks
        .replay_webhook(hook.id, 7, now())
        .await
        .unwrap();
    assert_eq!(
        (replayed.status, replayed.failing_reason),
        (WebhookStatus::Enabled, None)
    );
    let missing = ports
        .webhooks
        .replay_webhook(WebhookId::new_random(), 0, now())
        .await;
    assert_eq!(missing, Err(RepoError::NotFound));
}

/// Enabling a failing subscription clears its reason and retry state and makes it due.
pub async fn enabling_a_failing_subscription_resets_it(subject: Subject) {
    let ports = subject.default_ports();
    let hook = webhook(OrgId::DEFAULT, 0);
    ports.webhooks.create_webhook(&hook).await.unwrap();
    let claim = claim_one(&ports).await.unwrap();
    let give_up = AttemptResult::GiveUp {
        reason: "timeout".to_owned(),
    };
    let failed = attempt(&hook, 1, 30, None);
    assert!(ports
        .webhook_queue
        .record_attempt(claim.token, &failed, &give_up, LEASE, KEEP)
        .await
        .unwrap());
    let enable = WebhookChanges {
        status: Some(WebhookStatus::Enabled),
        ..WebhookChanges::default()
    };
    let enabled = ports
        .webhooks
        .update_webhook(hook.id, &enable, now())
        .await
        .unwrap();
    assert_eq!(
        (enabled.status, enabled.failing_reason),
        (WebhookStatus::Enabled, None)
    );
    let claim = claim_one(&ports).await.expect("due at once");
    assert_eq!((claim.failures, claim.failing_since), (0, None));
}

/// A new subscription starts at the feed's head: its position is the last event a feed reader
/// sees, so it is sent only what comes after.
pub async fn new_subscriptions_start_at_the_feed_head(subject: Subject) {
    let ports = subject.default_ports();
    let agent = saved_agent(&ports).await;
    let updated = event(agent.id, EventKind::Updated, "admin");
    ports.events.append(&[updated]).await.unwrap();
    let before = crate::feed::read_all(&ports, FeedQuery::whole_org(0, 100)).await;
    let head = before.last().expect("events were written").seq;
    let hook = ports
        .webhooks
        .create_webhook(&webhook(OrgId::DEFAULT, 0))
        .await
        .unwrap();
    assert_eq!(hook.position, head);
    let later = event(agent.id, EventKind::KeyCreated, "admin");
    ports
        .events
        .append(std::slice::from_ref(&later))
        .await
        .unwrap();
    let after = crate::feed::read_all(&ports, FeedQuery::whole_org(hook.position, 100)).await;
    let kinds: Vec<EventKind> = after.iter().map(|e| e.event.event.kind).collect();
    assert_eq!(kinds, [EventKind::KeyCreated]);
}
