//! `ApiKeyRepository` and `CredentialStore::find_key`: agent API keys, by keyed hash.

use crate::fixtures::*;
use registry_domain::{
    AgentId, ApiKey, ApiKeyId, ApiKeyType, EventKind, OrgRef, Principal, Role, ServiceToken,
};
use registry_ports::{Constraint, Ports, RepoError};

/// Create, read back by id and by name, list oldest first with total, delete.
pub async fn create_get_list_delete(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let base = now();
    let k2 = api_key(agent.id, "second", ApiKeyType::External, later(base, 1));
    let k1 = api_key(agent.id, "first", ApiKeyType::Internal, base);
    let created = [event(agent.id, EventKind::KeyCreated, "admin")];
    assert_eq!(ports.keys.create(&k2, &hash(), &created).await.unwrap(), k2);
    assert_eq!(ports.keys.create(&k1, &hash(), &created).await.unwrap(), k1);
    assert_eq!(ports.keys.get(k1.id).await.unwrap(), Some(k1.clone()));
    let by_name = ports
        .keys
        .get_by_name(agent.id, "second", ApiKeyType::External)
        .await;
    assert_eq!(by_name.unwrap(), Some(k2.clone()));
    let wrong_type = ports
        .keys
        .get_by_name(agent.id, "second", ApiKeyType::Internal)
        .await;
    assert_eq!(wrong_type.unwrap(), None);
    let listed = ports.keys.list(agent.id, page(50, 1)).await.unwrap();
    assert_eq!(
        (listed.items, listed.total),
        (vec![k1.clone(), k2.clone()], 2)
    );
    let paged = ports.keys.list(agent.id, page(1, 2)).await.unwrap();
    assert_eq!((paged.items, paged.total), (vec![k2.clone()], 2));
    let deleted = [event(agent.id, EventKind::KeyDeleted, "admin")];
    assert_eq!(ports.keys.delete(k1.id, &deleted).await.unwrap(), k1);
    assert_eq!(ports.keys.get(k1.id).await.unwrap(), None);
    assert_eq!(
        ports.keys.delete(k1.id, &deleted).await.unwrap_err(),
        RepoError::NotFound
    );
    let events = ports.events.list(agent.id, page(50, 1)).await.unwrap();
    assert_eq!(events.total, 4);
    assert_eq!(events.items[0].event.kind, EventKind::KeyDeleted);
}

/// Deleting an absent key is `NotFound`.
pub async fn delete_absent_is_not_found(ports: Ports) {
    let err = ports
        .keys
        .delete(ApiKeyId::new_random(), &[])
        .await
        .unwrap_err();
    assert_eq!(err, RepoError::NotFound);
}

/// (agent, name, type) is unique; other types and other agents may reuse the name.
pub async fn name_unique_per_agent_and_type(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let other = saved_agent(&ports).await;
    let key = |a, t| api_key(a, "ci", t, now());
    ports
        .keys
        .create(&key(agent.id, ApiKeyType::Github), &hash(), &[])
        .await
        .unwrap();
    let dup = key(agent.id, ApiKeyType::Github);
    let err = ports.keys.create(&dup, &hash(), &[]).await.unwrap_err();
    assert_eq!(err, RepoError::Conflict(Constraint::ApiKeyName));
    assert_eq!(ports.keys.get(dup.id).await.unwrap(), None);
    ports
        .keys
        .create(&key(agent.id, ApiKeyType::Slack), &hash(), &[])
        .await
        .unwrap();
    ports
        .keys
        .create(&key(other.id, ApiKeyType::Github), &hash(), &[])
        .await
        .unwrap();
    assert_eq!(
        ports.keys.list(agent.id, page(50, 1)).await.unwrap().total,
        2
    );
}

/// A second key with an existing secret hash is `Conflict(SecretHash)`.
pub async fn duplicate_hash_conflicts(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let secret = hash();
    ports
        .keys
        .create(
            &api_key(agent.id, "a", ApiKeyType::External, now()),
            &secret,
            &[],
        )
        .await
        .unwrap();
    let second = api_key(agent.id, "b", ApiKeyType::External, now());
    let err = ports.keys.create(&second, &secret, &[]).await.unwrap_err();
    assert_eq!(err, RepoError::Conflict(Constraint::SecretHash));
}

/// A key of an absent agent cannot be created.
pub async fn create_for_absent_agent_is_not_found(ports: Ports) {
    let key = api_key(AgentId::new_random(), "k", ApiKeyType::External, now());
    assert_eq!(
        ports.keys.create(&key, &hash(), &[]).await.unwrap_err(),
        RepoError::NotFound
    );
}

/// find_key finds live agents' keys only, and nothing once the key is deleted.
pub async fn find_key_only_live(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let (h1, h2) = (hash(), hash());
    let k1 = api_key(agent.id, "one", ApiKeyType::Internal, now());
    let k2 = api_key(agent.id, "two", ApiKeyType::Internal, now());
    ports.keys.create(&k1, &h1, &[]).await.unwrap();
    ports.keys.create(&k2, &h2, &[]).await.unwrap();
    assert_eq!(authenticated(&ports, &h1).await, Some(k1.clone()));
    assert_eq!(authenticated(&ports, &hash()).await, None);
    ports.keys.delete(k1.id, &[]).await.unwrap();
    assert_eq!(authenticated(&ports, &h1).await, None);
    assert_eq!(authenticated(&ports, &h2).await, Some(k2));
    delete(&ports, &agent).await;
    assert_eq!(authenticated(&ports, &h2).await, None);
}

/// Only `internal` keys are credentials: the secrets of `external`, `github` and `slack` keys
/// are never found by `find_key`, whoever minted them.
pub async fn find_key_finds_credentials_only(ports: Ports) {
    let agent = saved_agent(&ports).await;
    for key_type in [ApiKeyType::External, ApiKeyType::Github, ApiKeyType::Slack] {
        let h = hash();
        let key = api_key(agent.id, "integration", key_type, now());
        ports.keys.create(&key, &h, &[]).await.unwrap();
        assert_eq!(authenticated(&ports, &h).await, None, "{key_type}");
    }
    let h = hash();
    let internal = api_key(agent.id, "integration", ApiKeyType::Internal, now());
    ports.keys.create(&internal, &h, &[]).await.unwrap();
    assert_eq!(authenticated(&ports, &h).await, Some(internal));
}

/// has_key_of_type answers per agent and type.
pub async fn has_key_of_type(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let other = saved_agent(&ports).await;
    let keys = &ports.keys;
    let has =
        |agent_id, key_type| async move { keys.has_key_of_type(agent_id, key_type).await.unwrap() };
    assert!(!has(agent.id, ApiKeyType::Github).await);
    let key = api_key(agent.id, "gh", ApiKeyType::Github, now());
    ports.keys.create(&key, &hash(), &[]).await.unwrap();
    assert!(has(agent.id, ApiKeyType::Github).await);
    assert!(!has(agent.id, ApiKeyType::Slack).await);
    assert!(!has(other.id, ApiKeyType::Github).await);
}

/// `user:<name>` with a live service token, as the HTTP layer would authenticate it.
async fn with_token(ports: &Ports, name: &str) -> (Principal, ServiceToken) {
    let token = service_token(name, now());
    ports.tokens.create(&token, &hash()).await.unwrap();
    (token.principal.clone(), token)
}

/// Stores `key` under a fresh hash and returns the hash.
async fn mint(ports: &Ports, key: &ApiKey) -> String {
    let secret = hash();
    ports.keys.create(key, &secret, &[]).await.unwrap();
    secret
}

/// The key `secret` authenticates as, if any (a key of the `default` org, where these
/// behaviours run: `find_key` must say so).
async fn authenticated(ports: &Ports, secret: &str) -> Option<ApiKey> {
    let found = ports.credentials.find_key(secret).await.unwrap();
    found.map(|(key, org)| {
        assert_eq!(org, OrgRef::default_org(), "the key's org");
        key
    })
}

/// Asserts that `secret` authenticates as `key`, which reads back with its minter.
async fn assert_authenticates(ports: &Ports, secret: &str, key: &ApiKey) {
    assert_eq!(authenticated(ports, secret).await.as_ref(), Some(key));
    let stored = ports.keys.get(key.id).await.unwrap().unwrap();
    assert_eq!(stored.created_by, key.created_by);
}

/// A key minted by the admin authenticates with no grant and no service token behind it, and
/// reads back with its minter.
pub async fn admin_minted_key_keeps_working(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let key = minted_key(agent.id, "deploy", &Principal::Admin);
    let secret = mint(&ports, &key).await;
    assert_eq!(key.created_by, Principal::Admin);
    assert_authenticates(&ports, &secret, &key).await;
}

/// An editor's key authenticates while the editor holds the grant, and not once it is revoked.
pub async fn key_stops_when_minters_grant_is_revoked(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let (bob, _) = with_token(&ports, "bob").await;
    grant(&ports, agent.id, &bob, Role::Editor).await;
    let key = minted_key(agent.id, "by-bob", &bob);
    let secret = mint(&ports, &key).await;
    assert_eq!(key.created_by, bob);
    assert_authenticates(&ports, &secret, &key).await;
    ports.authorizer.revoke(agent.id, &bob, &[]).await.unwrap();
    assert_eq!(authenticated(&ports, &secret).await, None);
    // The key row stays (listed, deletable); it just no longer authenticates.
    assert_eq!(ports.keys.get(key.id).await.unwrap(), Some(key));
}

/// An owner's key stops when the owner is lowered to viewer, works again at editor (the
/// authority is the minter's current role, read at every authentication).
pub async fn key_stops_when_minter_is_lowered_to_viewer(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let (alice, _) = with_token(&ports, "alice").await;
    let (bob, _) = with_token(&ports, "bob").await;
    grant(&ports, agent.id, &alice, Role::Owner).await;
    grant(&ports, agent.id, &bob, Role::Owner).await;
    let key = minted_key(agent.id, "by-bob", &bob);
    let secret = mint(&ports, &key).await;
    assert_eq!(authenticated(&ports, &secret).await.as_ref(), Some(&key));
    grant(&ports, agent.id, &bob, Role::Viewer).await;
    assert_eq!(authenticated(&ports, &secret).await, None);
    grant(&ports, agent.id, &bob, Role::Editor).await;
    assert_eq!(authenticated(&ports, &secret).await, Some(key));
}

/// A key stops when its minter's service token is revoked, though the grant stays.
pub async fn key_stops_when_minters_token_is_revoked(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let (ci, token) = with_token(&ports, "ci").await;
    grant(&ports, agent.id, &ci, Role::Owner).await;
    let key = minted_key(agent.id, "by-ci", &ci);
    let secret = mint(&ports, &key).await;
    assert_eq!(authenticated(&ports, &secret).await, Some(key));
    ports.tokens.revoke(token.id).await.unwrap();
    assert_eq!(authenticated(&ports, &secret).await, None);
}

/// The minter's authority is on the key's own agent: a grant elsewhere does not count, nor
/// does a grant without a token; a key minted by an agent principal never authenticates.
pub async fn minter_authority_is_on_the_keys_agent(ports: Ports) {
    let agent = saved_agent(&ports).await;
    let other = saved_agent(&ports).await;
    let (bob, _) = with_token(&ports, "bob").await;
    grant(&ports, other.id, &bob, Role::Owner).await;
    let elsewhere = mint(&ports, &minted_key(agent.id, "bob", &bob)).await;
    assert_eq!(authenticated(&ports, &elsewhere).await, None);

    let tokenless = user("carol");
    grant(&ports, agent.id, &tokenless, Role::Owner).await;
    let by_carol = mint(&ports, &minted_key(agent.id, "carol", &tokenless)).await;
    assert_eq!(authenticated(&ports, &by_carol).await, None);

    let itself = Principal::Agent(agent.id);
    grant(&ports, agent.id, &itself, Role::Owner).await;
    let by_agent = mint(&ports, &minted_key(agent.id, "self", &itself)).await;
    assert_eq!(authenticated(&ports, &by_agent).await, None);
}
