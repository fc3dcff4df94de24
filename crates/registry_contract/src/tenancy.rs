//! What belongs to an org besides isolation (contract §9): names unique per org, credentials
//! that resolve to their org (the minter's authority judged there), and the heartbeat monitor,
//! which is no tenant and expires agents of every org.

use crate::fixtures::*;
use crate::heartbeats::expiry;
use crate::subject::org_ref;
use crate::Subject;
use registry_domain::{
    AgentRef, AgentStatus, ApiKeyType, EventKind, LifecycleEvent, OrgRef, Principal, Role,
    ServiceToken,
};
use registry_ports::{Constraint, Ports, RepoError};

/// Stores a token named `name` for `principal` in the ports' org; returns it and its hash.
async fn token_for(ports: &Ports, name: &str, principal: Principal) -> (ServiceToken, String) {
    let token = ServiceToken {
        principal,
        ..service_token(name, now())
    };
    let secret = hash();
    ports.tokens.create(&token, &secret).await.unwrap();
    (token, secret)
}

/// The org `secret` authenticates an agent key in, if it authenticates.
async fn key_org(ports: &Ports, secret: &str) -> Option<OrgRef> {
    let found = ports.credentials.find_key(secret).await.unwrap();
    found.map(|(_, org)| org)
}

/// One live name in two orgs: each creates its own agent and finds its own by name; a rename
/// conflicts only with a live name of its own org.
pub async fn same_live_name_in_two_orgs(subject: Subject) {
    let (_, a) = subject.new_org("names-a", None).await;
    let b = subject.default_ports();
    let name = unique_name("shared");
    let in_a = agent_named(name.clone(), LifecycleEvent::Register, now());
    let in_b = agent_named(name.clone(), LifecycleEvent::RegisterBuild, now());
    let created_a = a.agents.create_if_absent(&in_a, None, &[]).await.unwrap();
    let created_b = b.agents.create_if_absent(&in_b, None, &[]).await.unwrap();
    assert!(created_a.created && created_b.created);
    assert_eq!(
        a.agents.get_live_by_name(&name).await.unwrap(),
        Some(in_a.clone())
    );
    assert_eq!(
        b.agents.get_live_by_name(&name).await.unwrap(),
        Some(in_b.clone())
    );
    let again = a.agents.create_if_absent(&in_b, None, &[]).await.unwrap();
    assert_eq!((again.created, again.agent.id), (false, in_a.id));

    // Renaming onto a name live only in the other org is fine; onto its own, a conflict.
    let only_a = save(&a, &ready_agent()).await;
    let mut renamed = save(&b, &ready_agent()).await;
    renamed.name = only_a.name.clone();
    let stored = b.agents.update(&renamed, &[]).await.unwrap();
    assert_eq!(stored.name, only_a.name);
    let mut clash = save(&b, &ready_agent()).await;
    clash.name = name.clone();
    let err = b.agents.update(&clash, &[]).await.unwrap_err();
    assert_eq!(err, RepoError::Conflict(Constraint::LiveAgentName));
}

/// Token names are unique per org (the same name in two orgs is two tokens); secret hashes
/// are unique across orgs, since authentication finds a token before it knows its org.
pub async fn token_names_are_per_org(subject: Subject) {
    let (_, a) = subject.new_org("tokens", None).await;
    let b = subject.default_ports();
    let (ci_a, hash_a) = token_for(&a, "ci", user("ci")).await;
    let (ci_b, _) = token_for(&b, "ci", user("ci")).await;
    assert_ne!(ci_a.id, ci_b.id);
    let dup = a.tokens.create(&service_token("ci", now()), &hash()).await;
    assert_eq!(dup, Err(RepoError::Conflict(Constraint::ServiceTokenName)));
    let reused = b.tokens.create(&service_token("cd", now()), &hash_a).await;
    assert_eq!(reused, Err(RepoError::Conflict(Constraint::SecretHash)));
    assert_eq!(a.tokens.list(page(10, 1)).await.unwrap().items, vec![ci_a]);
    assert_eq!(b.tokens.list(page(10, 1)).await.unwrap().items, vec![ci_b]);
}

/// `find_token` and `find_key` return the credential with its own org, whichever org's ports
/// ask (they are not scoped).
pub async fn credentials_resolve_to_their_org(subject: Subject) {
    let (org, a) = subject.new_org("creds", None).await;
    let b = subject.default_ports();
    let (token_a, th_a) = token_for(&a, "ci", user("ci")).await;
    let (token_b, th_b) = token_for(&b, "ci", user("ci")).await;
    let agent_a = saved_agent(&a).await;
    let agent_b = saved_agent(&b).await;
    let key_a = api_key(agent_a.id, "k", ApiKeyType::Internal, now());
    let key_b = api_key(agent_b.id, "k", ApiKeyType::Internal, now());
    let (kh_a, kh_b) = (hash(), hash());
    a.keys.create(&key_a, &kh_a, &[]).await.unwrap();
    b.keys.create(&key_b, &kh_b, &[]).await.unwrap();
    for asking in [&a, &b] {
        let creds = &asking.credentials;
        let found = creds.find_token(&th_a).await.unwrap();
        assert_eq!(found, Some((token_a.clone(), org_ref(&org))));
        let found = creds.find_token(&th_b).await.unwrap();
        assert_eq!(found, Some((token_b.clone(), OrgRef::default_org())));
        let found = creds.find_key(&kh_a).await.unwrap();
        assert_eq!(found, Some((key_a.clone(), org_ref(&org))));
        let found = creds.find_key(&kh_b).await.unwrap();
        assert_eq!(found, Some((key_b.clone(), OrgRef::default_org())));
        // The same read with the key's agent.
        let with_agent = creds.find_key_with_agent(&kh_a).await.unwrap().unwrap();
        assert_eq!(
            (with_agent.key, with_agent.org, with_agent.agent),
            (key_a.clone(), org_ref(&org), agent_a.clone())
        );
        assert_eq!(creds.find_key_with_agent(&hash()).await.unwrap(), None);
    }
}

/// A key's minter authority is judged in the key's org: `user:bob`'s token in another org
/// does not keep the key he minted here alive; his token here does, until revoked.
pub async fn minter_authority_is_judged_in_the_keys_org(subject: Subject) {
    let (org, a) = subject.new_org("minter", None).await;
    let b = subject.default_ports();
    let bob = user("bob");
    let agent = saved_agent(&a).await;
    grant(&a, agent.id, &bob, Role::Editor).await;
    let (_, _) = token_for(&b, "bob", bob.clone()).await;
    let secret = hash();
    let key = minted_key(agent.id, "by-bob", &bob);
    a.keys.create(&key, &secret, &[]).await.unwrap();
    assert_eq!(
        key_org(&a, &secret).await,
        None,
        "bob's only token is elsewhere"
    );
    let (token, _) = token_for(&a, "bob", bob.clone()).await;
    assert_eq!(key_org(&a, &secret).await, Some(org_ref(&org)));
    a.tokens.revoke(token.id).await.unwrap();
    assert_eq!(key_org(&b, &secret).await, None);
}

/// A key minted by an org admin (`admin:<name>`) holds while that org admin's token exists in
/// the key's org; the same name's token in another org does not count.
pub async fn org_admin_minted_key_needs_its_token_in_that_org(subject: Subject) {
    let (org, a) = subject.new_org("admins", None).await;
    let b = subject.default_ports();
    let ops = Principal::OrgAdmin("ops".to_owned());
    let agent = saved_agent(&a).await;
    let secret = hash();
    let key = minted_key(agent.id, "by-ops", &ops);
    a.keys.create(&key, &secret, &[]).await.unwrap();
    token_for(&b, "ops", ops.clone()).await;
    assert_eq!(key_org(&a, &secret).await, None);
    let (token, _) = token_for(&a, "ops", ops.clone()).await;
    assert_eq!(key_org(&a, &secret).await, Some(org_ref(&org)));
    a.tokens.revoke(token.id).await.unwrap();
    assert_eq!(key_org(&a, &secret).await, None);
}

/// The monitor expires stale agents of every org in one run, whichever org's ports run it,
/// and writes each agent's event into that agent's org.
pub async fn expire_heartbeats_spans_orgs(subject: Subject) {
    let (_, a) = subject.new_org("monitor", None).await;
    let b = subject.default_ports();
    let cutoff = now();
    let mut stale = Vec::new();
    for ports in [&a, &b] {
        let mut agent = ready_agent();
        agent.last_seen_at = Some(later(cutoff, -60));
        stale.push(save(ports, &agent).await);
    }
    let mut expected: Vec<_> = stale.iter().map(|s| s.id).collect();
    expected.sort();
    let run = expiry(cutoff, cutoff);
    assert_eq!(a.agents.expire_heartbeats(&run).await.unwrap(), expected);
    assert!(b.agents.expire_heartbeats(&run).await.unwrap().is_empty());
    for (own, other, agent) in [(&a, &b, &stale[0]), (&b, &a, &stale[1])] {
        let stored = own.agents.get(agent.id).await.unwrap().unwrap();
        assert_eq!(stored.status, AgentStatus::Unhealthy);
        let trail = own.events.list(agent.id, page(10, 1)).await.unwrap();
        assert_eq!(trail.total, 2, "created and the transition");
        assert_eq!(trail.items[0].event.kind, EventKind::Transition);
        let elsewhere = other.events.list(agent.id, page(10, 1)).await.unwrap();
        assert_eq!(elsewhere.total, 0);
    }
}

/// One read gives a service token, its org and the agent it addresses (by id, or by live name)
/// with the token principal's role — in the token's org only; an unknown token gives nothing.
pub async fn token_with_agent_reads_both_in_its_org(subject: Subject) {
    let (org, a) = subject.new_org("prefetch", None).await;
    let b = subject.default_ports();
    let (token, secret) = token_for(&a, "reader", user("reader")).await;
    let mine = save(&a, &ready_agent()).await;
    grant(&a, mine.id, &user("reader"), Role::Editor).await;
    let theirs = save(&b, &ready_agent()).await;
    let read = |at: AgentRef| {
        let (a, secret) = (a.clone(), secret.clone());
        async move {
            let found = a.credentials.find_token_with_agent(&secret, &at).await;
            found.unwrap().expect("the token authenticates")
        }
    };
    let by_id = read(AgentRef::Id(mine.id)).await;
    assert_eq!((by_id.token, by_id.org), (token, org_ref(&org)));
    let found = by_id.agent.expect("its agent");
    assert_eq!(
        (found.agent, found.role),
        (mine.clone(), Some(Role::Editor))
    );
    let by_name = read(AgentRef::Name(mine.name.clone())).await.agent.unwrap();
    assert_eq!(by_name.agent.id, mine.id);
    assert_eq!(
        read(AgentRef::Id(theirs.id)).await.agent,
        None,
        "another org's id"
    );
    assert_eq!(read(AgentRef::Name(theirs.name.clone())).await.agent, None);
    let ungranted = save(&a, &ready_agent()).await;
    let ungranted = read(AgentRef::Id(ungranted.id)).await.agent.unwrap();
    assert_eq!(ungranted.role, None);
    let (unknown, at) = (hash(), AgentRef::Id(mine.id));
    let unknown = a.credentials.find_token_with_agent(&unknown, &at).await;
    assert_eq!(unknown.unwrap(), None);
}
