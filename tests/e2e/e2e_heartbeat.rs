//! Heartbeats, the health monitor and the audit trail, end to end (short TTL).

use registry_e2e::{text, unique_name, TestServer};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn wait_for_status(c: &registry_e2e::Client, id: &str, status: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = text(&c.get(&format!("/agents/{id}")).json(), "status");
        if now == status {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "agent {id} still {now}, expected {status}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn stale_agents_become_unhealthy_and_a_heartbeat_brings_them_back() {
    let server = TestServer::start_with(&[
        ("HEARTBEAT_TTL_SECONDS", "1"),
        ("HEARTBEAT_CHECK_INTERVAL_SECONDS", "1"),
    ]);
    let admin = server.admin();
    let name = unique_name("hb");
    let reg = admin.post(
        "/agents/register",
        &json!({"name": name, "description": "d", "acp_url": "http://a", "acp_type": "async"}),
    );
    assert_eq!(reg.status, 200, "{}", reg.body);
    let id = text(&reg.json(), "id");
    let key = text(&reg.json(), "agent_api_key");
    let build_only = text(&admin.register_build(&unique_name("never")), "id");
    let quiet = admin.post("/agents/register", &json!({"name": unique_name("quiet"), "description": "d", "acp_url": "http://q", "acp_type": "async"}));
    let quiet_id = text(&quiet.json(), "id");

    let agent = server.with_token(&key);
    let hb = agent.post_empty(&format!("/agents/{id}/heartbeat"));
    assert_eq!(hb.status, 200, "{}", hb.body);
    assert!(hb.json()["last_seen_at"].is_string());
    wait_for_status(&admin, &id, "Unhealthy");
    assert_eq!(
        agent.post_empty(&format!("/agents/{id}/heartbeat")).json()["status"],
        "Ready"
    );
    assert_eq!(
        admin.get(&format!("/agents/{id}")).json()["status"],
        "Ready"
    );
    // Never-heartbeated and BuildOnly agents are left alone.
    assert_eq!(
        admin.get(&format!("/agents/{quiet_id}")).json()["status"],
        "Ready"
    );
    assert_eq!(
        admin.get(&format!("/agents/{build_only}")).json()["status"],
        "BuildOnly"
    );

    let events = admin.get(&format!("/agents/{id}/events"));
    assert_eq!(events.status, 200, "{}", events.body);
    let transitions: Vec<(String, String)> = events
        .json()
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .filter(|e| e["to_status"].is_string())
        .map(|e| (text(e, "kind"), text(e, "to_status")))
        .collect();
    let statuses: Vec<&str> = transitions.iter().map(|(_, s)| s.as_str()).collect();
    // With a 1 s TTL the monitor may flip it again before we read: check the prefix, then
    // that every later step still alternates.
    assert!(statuses.len() >= 3, "{transitions:?}");
    assert_eq!(
        statuses[..3],
        ["Ready", "Unhealthy", "Ready"],
        "{transitions:?}"
    );
    assert!(statuses.windows(2).all(|w| w[0] != w[1]), "{transitions:?}");
}

#[test]
fn events_record_the_lifecycle_and_outlive_deletion() {
    let server = TestServer::start();
    let alice = server.user("alice");
    let bob = server.user("bob");
    let name = unique_name("ev");
    let id = text(&alice.register_build(&name), "id");
    alice.grant(&id, "user:bob", "viewer");
    let reg = alice.post(
        "/agents/register",
        &json!({"name": name, "description": "d", "acp_url": "http://a", "acp_type": "async"}),
    );
    assert_eq!(reg.status, 200, "{}", reg.body);
    assert_eq!(alice.delete(&format!("/agents/{id}")).status, 200);

    let events = alice.get(&format!("/agents/{id}/events"));
    assert_eq!(events.status, 200, "{}", events.body);
    let list = events.json();
    let kinds: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"created"), "{kinds:?}");
    assert!(kinds.contains(&"grant_added"), "{kinds:?}");
    assert!(kinds.contains(&"key_created"), "{kinds:?}");
    let last = &list[0];
    assert_eq!(last["to_status"], "Deleted");
    assert_eq!(last["from_status"], "Ready");
    assert_eq!(last["actor"], "user:alice");
    // A viewer is not an owner: no events for bob.
    assert_eq!(bob.get(&format!("/agents/{id}/events")).status, 404);
    assert_eq!(
        server.admin().get(&format!("/agents/{id}/events")).status,
        200
    );
}

/// Issue 15 item 2: a heartbeat is observed state, not an edit. The ETag before and after a
/// heartbeat is the same, and 50 PATCHes, each with `If-Match` of the previous answer's ETag,
/// all succeed while the agent heartbeats every 100 ms with its own internal key.
#[test]
fn heartbeats_leave_the_etag_alone_so_if_match_patches_never_fail() {
    const PATCHES: usize = 50;
    let server = TestServer::start();
    let admin = server.admin();
    let reg = admin.register(&unique_name("live"));
    let (id, key) = (text(&reg, "id"), text(&reg, "agent_api_key"));
    let path = format!("/agents/{id}");
    let agent = server.with_token(&key);
    let heartbeat = || {
        let r = agent.post_empty(&format!("/agents/{id}/heartbeat"));
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["status"], "Ready");
    };

    let etag = |r: &registry_e2e::Resp| r.header("etag").expect("an ETag").to_owned();
    let before = etag(&admin.get(&path));
    heartbeat();
    let after = admin.get(&path);
    assert!(after.json()["last_seen_at"].is_string());
    println!("ETag before a heartbeat: {before}; after: {}", etag(&after));
    assert_eq!(etag(&after), before);

    let stop = AtomicBool::new(false);
    let (beats, refused) = std::thread::scope(|s| {
        let beating = s.spawn(|| {
            let mut beats = 0;
            while !stop.load(Ordering::Relaxed) {
                heartbeat();
                beats += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            beats
        });
        let mut current = before.clone();
        let mut refused = 0;
        for i in 0..PATCHES {
            let r =
                admin.patch_if_match(&path, &current, &json!({"description": format!("rev {i}")}));
            match r.status {
                200 => current = etag(&r),
                412 => {
                    refused += 1;
                    current = etag(&admin.get(&path));
                }
                other => panic!("PATCH {i}: {other} {}", r.body),
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        stop.store(true, Ordering::Relaxed);
        (beating.join().unwrap(), refused)
    });
    println!("{refused} spurious 412 of {PATCHES} If-Match PATCHes during {beats} heartbeats");
    assert!(beats >= 5, "the heartbeats overlapped the PATCHes: {beats}");
    assert_eq!(refused, 0);
    assert_eq!(
        admin.get(&path).json()["description"],
        format!("rev {}", PATCHES - 1)
    );
}
