//! A2A agent cards and discovery end to end (contract §11, issue 18): cards stored and
//! refused by JSON pointer, served at the well-known paths (ETag, 304, public vs org), signed by
//! the registry and verified by the pinned `a2a-sdk` resolving them through the registry,
//! search by words (the agent's own or its card's; agents without a card too), tags and
//! capabilities within what the caller may read, and another org's cards answering the §6 404.

use registry_e2e::{Client, Resp, TestServer};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;

/// A valid A2A v1.0 card for `name`, its one skill described by `skill` and tagged `tags`.
fn card(name: &str, skill: &str, tags: &[&str]) -> Value {
    json!({
        "name": name,
        "description": format!("{name} agent"),
        "supportedInterfaces": [
            {"url": format!("https://{name}.example.com/a2a"), "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}
        ],
        "version": "1.0.0",
        "capabilities": {"streaming": false},
        "defaultInputModes": ["text/plain"],
        "defaultOutputModes": ["application/json"],
        "skills": [{"id": "main", "name": "Main", "description": skill, "tags": tags,
                    "examples": ["what can you do?"]}],
    })
}

/// Registers `name` (as `client`) and puts a card on it: the agent's id.
fn carded(client: &Client, name: &str, card: Value, visibility: &str) -> String {
    let id = client.register_build(name)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = client.put(
        &format!("/agents/{id}/card"),
        &json!({"card": card, "visibility": visibility}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    id
}

fn get_if_none_match(client: &Client, path: &str, etag: &str) -> Resp {
    Client::send(client.request("GET", path).set("If-None-Match", etag), None)
}

/// A fresh Ed25519 PKCS#8 key file (openssl), kept in the returned directory.
fn key_file() -> (tempdir::Dir, PathBuf) {
    let dir = tempdir::Dir::new("card-key");
    let path = dir.0.join("card-signing.pem");
    let out = Command::new("openssl")
        .args(["genpkey", "-algorithm", "ed25519", "-out"])
        .arg(&path)
        .output()
        .expect("openssl is needed to make the signing key (apt-get install openssl)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, path)
}

/// A directory removed on drop.
mod tempdir {
    /// The directory.
    pub struct Dir(pub std::path::PathBuf);

    impl Dir {
        pub fn new(prefix: &str) -> Self {
            let path = std::env::temp_dir().join(format!(
                "{prefix}-{}-{}",
                std::process::id(),
                uuid::Uuid::new_v4()
            ));
            std::fs::create_dir_all(&path).unwrap();
            Self(path)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// The Python of the venv `just tools` makes with the pinned `a2a-sdk`.
fn a2a_python() -> PathBuf {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/a2a-venv/bin/python");
    assert!(
        venv.exists(),
        "the A2A SDK is not installed: run `just tools` (creates target/a2a-venv with \
         a2a-sdk[signing]==1.3.0)"
    );
    venv
}

#[test]
fn a2a_sdk_resolves_the_card_through_the_registry_and_verifies_its_signature() {
    let (_dir, key) = key_file();
    let server = TestServer::start_with(&[("CARD_SIGNING_KEY_FILE", key.to_str().unwrap())]);
    let alice = server.user("alice");
    carded(
        &alice,
        "weather",
        card("weather", "Forecasts rain", &["data:read"]),
        "public",
    );
    carded(
        &alice,
        "ledger",
        card("ledger", "Books entries", &["finance"]),
        "org",
    );
    let jwks = server.anonymous().get("/.well-known/jwks.json").json();
    let jwk = &jwks["keys"][0];
    assert_eq!(
        (&jwk["kty"], &jwk["crv"], &jwk["alg"]),
        (&json!("OKP"), &json!("Ed25519"), &json!("EdDSA"))
    );
    let served = server
        .anonymous()
        .get("/agents/name/weather/.well-known/agent-card.json")
        .json();
    assert_eq!(served["signatures"].as_array().unwrap().len(), 1);
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("compat/a2a_resolve.py");
    let out = Command::new(a2a_python())
        .arg(script)
        .args([server.base.as_str(), "weather", "ledger"])
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "a2a-sdk check failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("resolved 'weather'"), "{stdout}");
    assert!(stdout.contains("altered copy rejected"), "{stdout}");
    assert!(stdout.contains("org-only card: 404"), "{stdout}");
}

#[test]
fn cards_are_stored_refused_by_json_pointer_evented_and_removed() {
    let server = TestServer::start();
    let alice = server.user("alice");
    let id = alice.register_build("cardy")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/agents/{id}/card");
    assert_eq!(alice.get(&path).json()["code"], "card_not_found");
    let put = alice.put(&path, &json!({"card": card("cardy", "s", &["x"])}));
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(put.json()["visibility"], "org");
    assert_eq!(put.json()["card"], card("cardy", "s", &["x"]));
    assert!(put.json()["updated_at"].is_string());
    assert_eq!(alice.get(&path).json()["card"], card("cardy", "s", &["x"]));

    let mut bad = card("cardy", "s", &[]);
    bad["default_input_modes"] = json!(["text/plain"]);
    bad["supportedInterfaces"][0]["url"] = json!("ftp://x");
    let refused = alice.put(&path, &json!({"card": bad, "visibility": "everyone"}));
    assert_eq!(refused.status, 422, "{}", refused.body);
    let fields: Vec<String> = refused.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    for wanted in [
        "/card/default_input_modes",
        "/card/supportedInterfaces/0/url",
        "/card/skills/0/tags",
        "visibility",
    ] {
        assert!(fields.iter().any(|f| f == wanted), "{wanted} in {fields:?}");
    }
    let mut big = card("cardy", "s", &["x"]);
    big["description"] = json!("x".repeat(70 * 1024));
    let too_big = alice.put(&path, &json!({"card": big}));
    assert_eq!(too_big.status, 422, "{}", too_big.body);
    assert_eq!(too_big.json()["errors"][0]["field"], "/card");

    // Another user may neither read nor write it: the §6 answers.
    let bob = server.user("bob");
    assert_eq!(bob.get(&path).json()["code"], "agent_not_found");
    let put = bob.put(&path, &json!({"card": card("cardy", "s", &["x"])}));
    assert_eq!(put.json()["code"], "agent_not_found");

    assert_eq!(alice.delete(&path).status, 200);
    assert_eq!(alice.get(&path).json()["code"], "card_not_found");
    assert_eq!(alice.delete(&path).json()["code"], "card_not_found");
    let events = alice.get(&format!("/agents/{id}/events")).json();
    let details: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "card_updated")
        .map(|e| &e["detail"])
        .collect();
    assert_eq!(
        details,
        [&json!({"removed": true}), &json!({"visibility": "org"})]
    );
}

#[test]
fn parallel_puts_of_one_card_each_write_one_event() {
    let server = TestServer::start();
    let alice = server.user("alice");
    let id = alice.register_build("racy")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let threads: Vec<_> = (0..16)
        .map(|i| {
            let (alice, path) = (alice.clone(), format!("/agents/{id}/card"));
            std::thread::spawn(move || {
                let body = json!({"card": card("racy", &format!("version {i}"), &["x"])});
                alice.put(&path, &body).status
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 200);
    }
    let events = alice.get(&format!("/agents/{id}/events?limit=100")).json();
    let written = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "card_updated")
        .count();
    assert_eq!(written, 16);
    let stored = alice.get(&format!("/agents/{id}/card")).json();
    let skill = stored["card"]["skills"][0]["description"].as_str().unwrap();
    assert!(skill.starts_with("version "), "{skill}");
}

#[test]
fn well_known_paths_serve_public_cards_to_anyone_and_org_cards_by_the_read_rules() {
    let server = TestServer::start();
    let alice = server.user("alice");
    let public = carded(&alice, "open", card("open", "s", &["x"]), "public");
    let private = carded(&alice, "closed", card("closed", "s", &["x"]), "org");
    let anonymous = server.anonymous();
    let bob = server.user("bob");

    let by_name = "/agents/name/open/.well-known/agent-card.json";
    let served = anonymous.get(by_name);
    assert_eq!(served.status, 200, "{}", served.body);
    assert_eq!(
        served.json(),
        card("open", "s", &["x"]),
        "unsigned without a key"
    );
    assert_eq!(served.header("cache-control"), Some("max-age=60"));
    let etag = served.header("etag").unwrap().to_owned();
    let again = get_if_none_match(&anonymous, by_name, &etag);
    assert_eq!((again.status, again.body.as_str()), (304, ""));
    let by_id = anonymous.get(&format!("/agents/{public}/.well-known/agent-card.json"));
    assert_eq!(
        (by_id.status, by_id.header("etag")),
        (200, Some(etag.as_str()))
    );
    let in_org = anonymous.get("/orgs/default/agents/open/.well-known/agent-card.json");
    assert_eq!(in_org.status, 200);

    // A changed card has a new ETag.
    let put = alice.put(
        &format!("/agents/{public}/card"),
        &json!({"card": card("open", "changed", &["x"]), "visibility": "public"}),
    );
    assert_eq!(put.status, 200);
    assert_eq!(get_if_none_match(&anonymous, by_name, &etag).status, 200);

    // The org card: 404 (the missing agent's body) to anyone who may not read the agent.
    let missing = anonymous.get("/agents/name/nobody/.well-known/agent-card.json");
    assert_eq!(missing.status, 404);
    for path in [
        "/agents/name/closed/.well-known/agent-card.json".to_owned(),
        format!("/agents/{private}/.well-known/agent-card.json"),
        "/orgs/default/agents/closed/.well-known/agent-card.json".to_owned(),
    ] {
        for client in [&anonymous, &bob] {
            let r = client.get(&path);
            assert_eq!((r.status, &r.body), (404, &missing.body), "{path}");
        }
        let owner = alice.get(&path);
        assert_eq!(owner.status, 200, "{path}: {}", owner.body);
        assert_eq!(owner.header("cache-control"), Some("private, max-age=60"));
    }
    // Public grants no read of the agent.
    assert_eq!(bob.get(&format!("/agents/{public}")).status, 404);
    assert_eq!(bob.get(&format!("/agents/{public}/card")).status, 404);
    // A Deleted agent's card is served no more.
    assert_eq!(alice.delete(&format!("/agents/{public}")).status, 200);
    assert_eq!(anonymous.get(by_name).status, 404);
    // No key configured: an empty JWK Set.
    assert_eq!(
        anonymous.get("/.well-known/jwks.json").json(),
        json!({"keys": []})
    );
}

fn found(client: &Client, query: &str) -> (Vec<String>, u64) {
    let r = client.get(&format!("/agents/search?{query}"));
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    let body = r.json();
    let mut names: Vec<String> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["agent"]["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    (names, body["total"].as_u64().unwrap())
}

#[test]
fn search_finds_by_words_tags_and_capabilities_among_what_the_caller_reads() {
    let server = TestServer::start();
    let alice = server.user("alice");
    let bob = server.user("bob");
    carded(
        &alice,
        "reader",
        card("reader", "Summarises quarterly reports", &["data:read"]),
        "org",
    );
    carded(
        &alice,
        "wildcard",
        card("wildcard", "Manages the warehouse", &["data:*"]),
        "public",
    );
    carded(
        &alice,
        "writer",
        card(
            "writer",
            "Writes quarterly ledgers",
            &["data:write", "finance"],
        ),
        "org",
    );
    let gone = carded(
        &alice,
        "gone",
        card("gone", "quarterly too", &["data:read"]),
        "org",
    );
    assert_eq!(alice.delete(&format!("/agents/{gone}")).status, 200);
    carded(
        &bob,
        "bobs",
        card("bobs", "quarterly numbers", &["data:read"]),
        "org",
    );

    let names = |v: &[&str]| -> Vec<String> { v.iter().map(|s| s.to_string()).collect() };
    assert_eq!(
        found(&alice, "q=quarterly"),
        (names(&["reader", "writer"]), 2)
    );
    assert_eq!(
        found(&alice, "q=QUARTERLY%20ledgers"),
        (names(&["writer"]), 1)
    );
    assert_eq!(found(&alice, "tag=finance"), (names(&["writer"]), 1));
    assert_eq!(
        found(&alice, "capability=data:read"),
        (names(&["reader", "wildcard"]), 2)
    );
    assert_eq!(
        found(&alice, "capability=data:*"),
        (names(&["reader", "wildcard", "writer"]), 3)
    );
    assert_eq!(
        found(&alice, "capability=data:write&q=quarterly"),
        (names(&["writer"]), 1)
    );
    assert_eq!(
        found(
            &alice,
            "skill=main&input_mode=text/plain&output_mode=application/json"
        )
        .1,
        3
    );
    assert_eq!(
        found(&alice, "status=Ready").1,
        0,
        "register-build agents are Build-only"
    );
    // Bob sees his own only (a public card grants no search); the admin sees every live one.
    assert_eq!(found(&bob, "q=quarterly"), (names(&["bobs"]), 1));
    assert_eq!(found(&bob, "capability=data:*"), (names(&["bobs"]), 1));
    assert_eq!(found(&server.admin(), "q=quarterly").1, 3);
    // Paging and relevance order.
    let page = alice
        .get("/agents/search?capability=data:*&limit=2&offset=2")
        .json();
    assert_eq!(
        (page["results"].as_array().unwrap().len(), &page["total"]),
        (1, &json!(3))
    );
    let ranked = alice.get("/agents/search?q=quarterly").json();
    let scores: Vec<f64> = ranked["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["score"].as_f64().unwrap())
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]) && scores[0] > 0.0,
        "{scores:?}"
    );
    // An agent without a card is found by its own name and description (its result has no
    // `card`), never by a card filter nor by words split between it and a card; a search
    // without words or filters lists it with the others.
    let bare = alice.register_build("archivist")["id"].clone();
    let r = alice.get("/agents/search?q=archivist").json();
    assert_eq!(r["total"], json!(1), "{r}");
    assert_eq!(r["results"][0]["agent"]["id"], bare);
    assert!(r["results"][0].get("card").is_none(), "{r}");
    assert!(ranked["results"][0]["card"].is_object(), "{ranked}");
    assert_eq!(
        found(&alice, "q=archivist%20agent").1,
        1,
        "name and description"
    );
    assert_eq!(found(&alice, "q=archivist&input_mode=text/plain").1, 0);
    assert_eq!(found(&alice, "q=archivist%20quarterly").1, 0);
    assert_eq!(
        found(&alice, ""),
        (names(&["archivist", "reader", "wildcard", "writer"]), 4)
    );
    // Bad parameters: one 422 naming each.
    let bad = alice.get("/agents/search?capability=Data:read&limit=0&status=Sleeping");
    assert_eq!(bad.status, 422, "{}", bad.body);
    let fields: Vec<Value> = bad.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].clone())
        .collect();
    assert_eq!(
        fields,
        [json!("capability"), json!("status"), json!("limit")]
    );
    assert_eq!(server.anonymous().get("/agents/search?q=x").status, 401);
}

#[test]
fn another_orgs_cards_are_the_section_6_404() {
    let server = TestServer::start();
    let platform = server.admin();
    let mut users = Vec::new();
    for slug in ["north", "south"] {
        assert_eq!(platform.post("/orgs", &json!({"slug": slug})).status, 201);
        let body = json!({"name": "alice", "kind": "user", "org": slug});
        let token = platform.post("/service_tokens", &body).json()["token"]
            .as_str()
            .unwrap()
            .to_owned();
        users.push(server.with_token(&token));
    }
    let (north, south) = (&users[0], &users[1]);
    let open = carded(
        north,
        "polar",
        card("polar", "icy maps", &["maps:read"]),
        "public",
    );
    let closed = carded(
        north,
        "secret",
        card("secret", "icy secrets", &["maps:read"]),
        "org",
    );
    let missing = south.get("/agents/name/nobody/.well-known/agent-card.json");
    assert_eq!(missing.status, 404);
    for path in [
        format!("/agents/{open}/.well-known/agent-card.json"),
        format!("/agents/{closed}/.well-known/agent-card.json"),
        "/agents/name/polar/.well-known/agent-card.json".to_owned(),
        "/orgs/north/agents/secret/.well-known/agent-card.json".to_owned(),
        format!("/agents/{closed}/card"),
    ] {
        let r = south.get(&path);
        assert_eq!(r.status, 404, "{path}");
        if path.contains("well-known") {
            assert_eq!(r.body, missing.body, "{path}");
        }
    }
    assert_eq!(found(south, "q=icy"), (vec![], 0));
    assert_eq!(found(south, "capability=maps:*"), (vec![], 0));
    // The public card is served in its own org's path, to anyone.
    let public = south.get("/orgs/north/agents/polar/.well-known/agent-card.json");
    assert_eq!(public.status, 200, "{}", public.body);
    assert_eq!(found(north, "q=icy").1, 2);
}
