//! `ServiceTokenRepository` and `CredentialStore::find_token`: admin-issued service tokens.

use crate::fixtures::*;
use registry_domain::{OrgRef, ServiceTokenId};
use registry_ports::{Constraint, Ports, RepoError};

/// Create, list oldest first, find by hash, revoke (then it no longer authenticates).
pub async fn create_list_find_revoke(ports: Ports) {
    let base = now();
    let late = service_token("late", later(base, 1));
    let early = service_token("early", base);
    let (hl, he) = (hash(), hash());
    assert_eq!(ports.tokens.create(&late, &hl).await.unwrap(), late);
    assert_eq!(ports.tokens.create(&early, &he).await.unwrap(), early);
    assert_eq!(
        ports.tokens.list(page(1000, 1)).await.unwrap().items,
        vec![early.clone(), late.clone()]
    );
    let second = ports.tokens.list(page(1, 2)).await.unwrap();
    assert_eq!((second.items, second.total), (vec![late.clone()], 2));
    let found = ports.credentials.find_token(&hl).await.unwrap();
    assert_eq!(found, Some((late.clone(), OrgRef::default_org())));
    assert_eq!(ports.credentials.find_token(&hash()).await.unwrap(), None);
    assert_eq!(ports.tokens.revoke(late.id).await.unwrap(), late);
    assert_eq!(ports.credentials.find_token(&hl).await.unwrap(), None);
    assert_eq!(
        ports.tokens.list(page(1000, 1)).await.unwrap().items,
        vec![early]
    );
}

/// Revoking an absent token is `NotFound`.
pub async fn revoke_absent_is_not_found(ports: Ports) {
    let err = ports
        .tokens
        .revoke(ServiceTokenId::new_random())
        .await
        .unwrap_err();
    assert_eq!(err, RepoError::NotFound);
}

/// Names and hashes are unique.
pub async fn name_and_hash_conflict(ports: Ports) {
    let secret = hash();
    ports
        .tokens
        .create(&service_token("ci", now()), &secret)
        .await
        .unwrap();
    let err = ports
        .tokens
        .create(&service_token("ci", now()), &hash())
        .await
        .unwrap_err();
    assert_eq!(err, RepoError::Conflict(Constraint::ServiceTokenName));
    let err = ports
        .tokens
        .create(&service_token("cd", now()), &secret)
        .await
        .unwrap_err();
    assert_eq!(err, RepoError::Conflict(Constraint::SecretHash));
    assert_eq!(
        ports.tokens.list(page(1000, 1)).await.unwrap().items.len(),
        1
    );
}
