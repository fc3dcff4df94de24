//! Organizations end to end (contract §9, issue 16): two orgs, each with an org admin, an
//! ordinary user and an agent key; every endpoint addressed with the other org's ids and names
//! answers exactly as if they did not exist and changes nothing; the same name lives in both;
//! the quota race on three replicas.

use registry_e2e::{Client, TestServer};
use serde_json::{json, Value};

/// What one org holds after [`populate`]: its principals and the ids of its rows.
struct Org {
    admin: Client,
    alice: Client,
    agent_key: Client,
    agent_id: String,
    only_name: String,
    deployment_id: String,
    history_id: String,
    key_id: String,
    token_id: String,
}

/// Creates org `slug` with an org admin (`admin:ops`), `user:alice` (owner of an agent named
/// `shared` — the same name in every org — with a Ready production deployment, an internal
/// key and a viewer grant to `user:bob`) and an agent only this org has.
fn populate(server: &TestServer, slug: &str) -> Org {
    let platform = server.admin();
    assert_eq!(platform.post("/orgs", &json!({"slug": slug})).status, 201);
    let token = |name: &str, kind: &str| {
        let body = json!({"name": name, "kind": kind, "org": slug});
        let r = platform.post("/service_tokens", &body);
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()
    };
    let ops = token("ops", "admin");
    let admin = server.with_token(ops["token"].as_str().unwrap());
    let alice = server.with_token(token("alice", "user")["token"].as_str().unwrap());
    let agent = alice.register_build("shared");
    let agent_id = agent["id"].as_str().unwrap().to_owned();
    let dep = alice.post(
        &format!("/agents/{agent_id}/deployments"),
        &json!({"docker_image": "img:1"}),
    );
    assert_eq!(dep.status, 200, "{}", dep.body);
    let deployment_id = dep.json()["id"].as_str().unwrap().to_owned();
    let key = alice.post(
        "/agent_api_keys",
        &json!({"agent_id": agent_id, "name": "pod", "api_key_type": "internal"}),
    );
    assert_eq!(key.status, 200, "{}", key.body);
    let agent_key = server.with_token(key.json()["api_key"].as_str().unwrap());
    let registered = agent_key.post(
        "/agents/register",
        &json!({"name": "shared", "description": "d", "acp_url": "http://shared:8000",
                "acp_type": "async", "registration_metadata": {"deployment_id": deployment_id}}),
    );
    assert_eq!(registered.status, 200, "{}", registered.body);
    let promoted = alice.post_empty(&format!(
        "/agents/{agent_id}/deployments/{deployment_id}/promote"
    ));
    assert_eq!(promoted.status, 200, "{}", promoted.body);
    assert_eq!(alice.grant(&agent_id, "user:bob", "viewer").status, 201);
    let commit = json!({"name": "shared", "description": "d", "acp_url": "http://shared:8000",
        "acp_type": "async", "registration_metadata": {"agent_commit": "c1", "branch_name": "main", "author_name": "Ada"}});
    let recorded = agent_key.post("/agents/register", &commit);
    assert_eq!(recorded.status, 200, "{}", recorded.body);
    let only_name = format!("only-in-{slug}");
    admin.register_build(&only_name);
    let history = alice.get(&format!("/deployment-history?agent_id={agent_id}"));
    let history_id = history.json()[0]["id"]
        .as_str()
        .expect(&history.body)
        .to_owned();
    Org {
        admin,
        alice,
        agent_key,
        agent_id,
        only_name,
        deployment_id,
        history_id,
        key_id: key.json()["id"].as_str().unwrap().to_owned(),
        token_id: ops["id"].as_str().unwrap().to_owned(),
    }
}

/// Everything org `b` shows its own admin: compared before and after the other org's attempts.
fn snapshot(b: &Org) -> Vec<String> {
    let a = &b.agent_id;
    [
        format!("/agents/{a}"),
        "/agents?limit=1000".to_owned(),
        format!("/agents/{a}/deployments"),
        format!("/agents/{a}/events?limit=1000"),
        "/events?limit=1000".to_owned(),
        format!("/agents/{a}/grants"),
        format!("/agent_api_keys?agent_id={a}"),
        format!("/deployment-history?agent_id={a}"),
        "/service_tokens".to_owned(),
    ]
    .iter()
    .map(|path| {
        let r = b.admin.get(path);
        format!(
            "{path} {} {} {}",
            r.status,
            r.header("x-total-count").unwrap_or("-"),
            r.body
        )
    })
    .collect()
}

/// Every way of addressing `b`'s rows, each paired with the same request naming a row that
/// does not exist anywhere: (method, path, body, path of the never-existing twin).
fn cross_org_requests(a: &Org, b: &Org) -> Vec<(&'static str, String, Option<Value>, String)> {
    let (bid, bdep, bhist, bkey) = (&b.agent_id, &b.deployment_id, &b.history_id, &b.key_id);
    let twin = |path: &str| as_if_missing(b, path);
    let mut requests = vec![
        ("GET", format!("/agents/{bid}"), None),
        ("GET", format!("/agents/name/{}", b.only_name), None),
        (
            "PATCH",
            format!("/agents/{bid}"),
            Some(json!({"description": "x"})),
        ),
        ("DELETE", format!("/agents/{bid}"), None),
        ("DELETE", format!("/agents/name/{}", b.only_name), None),
        ("POST", format!("/agents/{bid}/heartbeat"), None),
        ("GET", format!("/agents/{bid}/events"), None),
        ("GET", format!("/agents/{bid}/deployments"), None),
        (
            "POST",
            format!("/agents/{bid}/deployments"),
            Some(json!({"docker_image": "i"})),
        ),
        ("GET", format!("/agents/{bid}/deployments/{bdep}"), None),
        ("DELETE", format!("/agents/{bid}/deployments/{bdep}"), None),
        (
            "POST",
            format!("/agents/{bid}/deployments/{bdep}/promote"),
            None,
        ),
        (
            "GET",
            format!("/agents/{}/deployments/{bdep}", a.agent_id),
            None,
        ),
        ("GET", format!("/deployment-history/{bhist}"), None),
        ("GET", format!("/deployment-history?agent_id={bid}"), None),
        ("GET", format!("/agent_api_keys?agent_id={bid}"), None),
        ("GET", format!("/agent_api_keys/{bkey}"), None),
        (
            "GET",
            format!("/agent_api_keys/name/pod?agent_id={bid}&api_key_type=internal"),
            None,
        ),
        ("DELETE", format!("/agent_api_keys/{bkey}"), None),
        (
            "POST",
            "/agent_api_keys".to_owned(),
            Some(json!({"agent_id": bid, "name": "stolen", "api_key_type": "internal"})),
        ),
        ("GET", format!("/agents/{bid}/grants"), None),
        (
            "POST",
            format!("/agents/{bid}/grants"),
            Some(json!({"principal": "user:alice", "role": "owner"})),
        ),
        ("DELETE", format!("/agents/{bid}/grants/user:bob"), None),
        ("DELETE", format!("/service_tokens/{}", b.token_id), None),
    ];
    requests.push((
        "POST",
        "/agents/register".to_owned(),
        Some(
            json!({"agent_id": bid, "name": "shared", "description": "d",
                    "acp_url": "http://x:1", "acp_type": "async"}),
        ),
    ));
    requests
        .into_iter()
        .map(|(method, path, body)| {
            let other = twin(&path);
            let other = match &body {
                Some(Value::Object(m)) if m.contains_key("agent_id") => {
                    // The twin of a body naming b's agent names no agent.
                    format!("{other}#body")
                }
                _ => other,
            };
            (method, path, body, other)
        })
        .collect()
}

/// `text` with every id and name of `b` replaced by one that exists nowhere: what the same
/// request (or its answer, which echoes what was asked) reads like for a missing row.
fn as_if_missing(b: &Org, text: &str) -> String {
    let none = "00000000-0000-4000-8000-00000000dead";
    text.replace(&b.agent_id, none)
        .replace(&b.deployment_id, none)
        .replace(&b.history_id, none)
        .replace(&b.key_id, none)
        .replace(&b.token_id, none)
        .replace(&b.only_name, "never-existed")
}

fn send(client: &Client, method: &str, path: &str, body: Option<&Value>) -> (u16, String) {
    let req = client.request(method, path);
    let r = Client::send(req, body.map(|b| b.to_string()).as_deref());
    (r.status, r.body)
}

#[test]
fn another_orgs_rows_are_answered_like_absent_ones_and_never_change() {
    let server = TestServer::start();
    let a = populate(&server, "org-a");
    let b = populate(&server, "org-b");
    let before = snapshot(&b);
    let none = "00000000-0000-4000-8000-00000000dead";
    for (who, client) in [
        ("org admin", &a.admin),
        ("user", &a.alice),
        ("agent key", &a.agent_key),
    ] {
        for (method, path, body, twin) in cross_org_requests(&a, &b) {
            let (status, answer) = send(client, method, &path, body.as_ref());
            let (twin_path, twin_body) = match twin.strip_suffix("#body") {
                Some(p) => {
                    let text = body
                        .as_ref()
                        .unwrap()
                        .to_string()
                        .replace(&b.agent_id, none);
                    (
                        p.to_owned(),
                        Some(serde_json::from_str::<Value>(&text).unwrap()),
                    )
                }
                None => (twin, body.clone()),
            };
            let (twin_status, twin_answer) = send(client, method, &twin_path, twin_body.as_ref());
            assert!(
                !(200..300).contains(&status),
                "{who}: {method} {path} reached org-b: {status} {answer}"
            );
            // The answer may echo what was asked (an id in a 404's detail): compared as if
            // the request had named the missing row.
            assert_eq!(
                (status, &as_if_missing(&b, &answer)),
                (twin_status, &twin_answer),
                "{who}: {method} {path} is distinguishable from a missing row"
            );
        }
        // Lists and totals never show the other org; nor does the change feed, even filtered
        // by the other org's agent.
        let listed = client.get("/agents?limit=1000");
        assert!(!listed.body.contains(&b.agent_id) && !listed.body.contains(&b.only_name));
        let feed = client.get("/events?limit=1000");
        assert_eq!(feed.status, 200, "{}", feed.body);
        assert!(!feed.body.contains(&b.agent_id) && !feed.body.contains(&b.only_name));
        assert!(
            !feed.json()["events"].as_array().unwrap().is_empty(),
            "{who} sees its own"
        );
        let aimed = client.get(&format!("/events?agent_id={}", b.agent_id));
        assert_eq!(aimed.json()["events"], json!([]), "{who}");
    }
    assert_eq!(snapshot(&b), before, "org-b changed");
    // The org admin's own lists hold its org's rows only.
    let tokens = a.admin.get("/service_tokens").json();
    let orgs: Vec<&str> = tokens
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["org"].as_str().unwrap())
        .collect();
    assert_eq!(orgs, ["org-a", "org-a"], "ops and alice");
}

#[test]
fn one_name_lives_in_two_orgs_and_a_cross_org_get_is_the_missing_404() {
    let server = TestServer::start();
    let platform = server.admin();
    assert_eq!(
        platform.post("/orgs", &json!({"slug": "team-x"})).status,
        201
    );
    let in_default = platform.register_build("billing");
    let in_x = platform.in_org("team-x").register_build("billing");
    assert_ne!(in_default["id"], in_x["id"]);
    let by_name = platform.in_org("team-x").get("/agents/name/billing");
    assert_eq!(by_name.json()["id"], in_x["id"]);
    let cross = platform.get(&format!("/agents/{}", in_x["id"].as_str().unwrap()));
    let missing = platform.get("/agents/00000000-0000-4000-8000-000000000000");
    assert_eq!(cross.status, 404);
    assert_eq!(cross.body, missing.body, "byte-identical");
    let rows = server.texts(
        "SELECT o.slug || ' ' || a.name AS t FROM agents a JOIN orgs o ON o.id = a.org_id \
         WHERE a.name = 'billing' ORDER BY o.slug",
    );
    assert_eq!(rows, ["default billing", "team-x billing"]);
}

/// Contract §9: N parallel creates of distinct names at `current = limit − 1`, spread over three
/// replicas, make exactly one agent; every other one is 403 `quota_exceeded` (never 409/503).
#[test]
fn the_quota_race_on_three_replicas_creates_exactly_one() {
    const LIMIT: usize = 5;
    const RACERS: usize = 24;
    let server = TestServer::start();
    let replicas = [server.replica(&[]), server.replica(&[])];
    let platform = server.admin();
    let org = platform.post("/orgs", &json!({"slug": "capped", "max_agents": LIMIT}));
    assert_eq!(org.status, 201, "{}", org.body);
    for i in 0..LIMIT - 1 {
        platform
            .in_org("capped")
            .register_build(&format!("before-{i}"));
    }
    let clients = [
        platform.in_org("capped"),
        replicas[0].admin().in_org("capped"),
        replicas[1].admin().in_org("capped"),
    ];
    let barrier = std::sync::Barrier::new(RACERS);
    let answers: Vec<(u16, Value)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..RACERS)
            .map(|i| {
                let (client, barrier) = (&clients[i % 3], &barrier);
                s.spawn(move || {
                    barrier.wait();
                    let body = json!({"name": format!("racer-{i}"), "description": "d"});
                    let r = client.post("/agents/register-build", &body);
                    (
                        r.status,
                        serde_json::from_str(&r.body).unwrap_or(Value::Null),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let created = answers.iter().filter(|(s, _)| *s == 200).count();
    let refused: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == 403)
        .map(|(_, b)| b)
        .collect();
    let live = server.texts(
        "SELECT count(*)::text AS t FROM agents a JOIN orgs o ON o.id = a.org_id \
         WHERE o.slug = 'capped' AND a.status <> 'Deleted'",
    );
    println!(
        "quota race: {RACERS} creates over 3 replicas at current = {} of {LIMIT}: {created} created, \
         {} refused with 403 quota_exceeded, {} live agents in the database",
        LIMIT - 1,
        refused.len(),
        live[0]
    );
    assert_eq!(created, 1, "{answers:?}");
    assert_eq!(refused.len(), RACERS - 1, "{answers:?}");
    for problem in refused {
        assert_eq!(problem["code"], "quota_exceeded");
        assert_eq!(
            (problem["limit"].as_u64(), problem["current"].as_u64()),
            (Some(5), Some(5))
        );
    }
    assert_eq!(live, [LIMIT.to_string()]);
}
