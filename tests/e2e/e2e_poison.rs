//! Nothing is committed that cannot be read back, and one bad stored value never fails a list
//! for everyone (issue 13, item 1).

use diesel::connection::SimpleConnection;
use registry_e2e::{text, unique_name, Resp, TestServer};
use serde_json::{json, Value};

/// A JSON object holding arrays nested deeper than serde_json reads (128): PostgreSQL stores
/// it happily.
fn too_deep() -> String {
    format!(r#"{{"x": {}{}}}"#, "[".repeat(200), "]".repeat(200))
}

fn ids(list: &Resp) -> Vec<String> {
    list.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|a| text(a, "id"))
        .collect()
}

#[test]
fn numbers_that_cannot_be_read_back_are_refused_and_nothing_is_saved() {
    let server = TestServer::start();
    let admin = server.admin();
    // Outside the range of a double: no JSON client could read them back.
    let cases = [
        ("/agents/register-build", "1.7976931348623158e308"),
        ("/agents/register-build", "1e-400"),
        ("/agents/register", "1e400"),
    ];
    for (path, number) in cases {
        let name = unique_name("num");
        let body = format!(
            r#"{{"name": "{name}", "description": "d", "acp_url": "http://a:1", "acp_type": "async",
                "registration_metadata": {{"deep": {{"n": {number}}}}}}}"#
        );
        let r = admin.post_raw(path, &body);
        assert_eq!(r.status, 422, "{path} {number}: {}", r.body);
        assert_eq!(
            r.json()["errors"][0]["field"],
            "registration_metadata.deep.n",
            "{}",
            r.body
        );
        assert_eq!(admin.get(&format!("/agents/name/{name}")).status, 404);
    }
    println!("refused with 422 and not saved: {cases:?}");
}

#[test]
fn numbers_are_kept_exactly() {
    let server = TestServer::start();
    let admin = server.admin();
    let name = unique_name("exact");
    let body = format!(
        r#"{{"name": "{name}", "description": "d",
            "registration_metadata": {{"big": 123456789012345678901234567890, "small": 1.5e-3, "tiny": 0.000000000000000000001, "max": 1.7976931348623157e308}}}}"#
    );
    let r = admin.post_raw("/agents/register-build", &body);
    assert_eq!(r.status, 200, "{}", r.body);
    let got = admin.get(&format!("/agents/name/{name}"));
    assert!(
        got.body.contains(r#""big":123456789012345678901234567890"#),
        "{}",
        got.body
    );
    assert!(got.body.contains(r#""small":0.0015"#), "{}", got.body);
    assert!(
        got.body.contains(r#""tiny":0.000000000000000000001"#),
        "{}",
        got.body
    );
    let max = format!(r#""max":17976931348623157{}"#, "0".repeat(292));
    assert!(
        got.body.contains(&max),
        "the largest double, written out: {}",
        got.body
    );
}

#[test]
fn a_planted_undecodable_row_fails_only_its_own_routes() {
    let server = TestServer::start();
    let admin = server.admin();
    let alice = server.user("alice");
    let poisoned = alice.register_build(&unique_name("poisoned"));
    let healthy = alice.register_build(&unique_name("healthy"));
    let (pid, hid) = (text(&poisoned, "id"), text(&healthy, "id"));
    let mut conn = server.db.connect();
    conn.batch_execute(&format!(
        "UPDATE agents SET registration_metadata = '{}'::jsonb WHERE id = '{pid}'",
        too_deep()
    ))
    .unwrap();

    for client in [&admin, &alice] {
        let list = client.get("/agents?limit=1000");
        assert_eq!(list.status, 200, "{}", list.body);
        assert_eq!(ids(&list), vec![hid.clone()], "the healthy agent is listed");
        assert_eq!(client.get(&format!("/agents/{hid}")).status, 200);
        let own = client.get(&format!("/agents/{pid}"));
        assert_eq!(own.status, 500, "{}", own.body);
        let body: Value = own.json();
        assert_eq!(body["code"], "internal");
        let request_id = body["request_id"].as_str().unwrap();
        assert_eq!(own.header("x-request-id"), Some(request_id));
    }
    assert!(
        server
            .logs_containing(&format!("corrupt agents row {pid}"))
            .contains(&format!("corrupt agents row {pid}")),
        "the bad row is logged with its id"
    );
}

#[test]
fn a_write_whose_answer_cannot_be_read_back_is_rolled_back() {
    let server = TestServer::start();
    let admin = server.admin();
    // A trigger (standing in for any bug or corruption) makes every new agent's stored
    // metadata unreadable: the create statement succeeds, decoding its result fails.
    let mut conn = server.db.connect();
    conn.batch_execute(&format!(
        "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN NEW.registration_metadata := '{}'::jsonb; RETURN NEW; END $$;
         CREATE TRIGGER poison BEFORE INSERT ON agents FOR EACH ROW EXECUTE FUNCTION poison();",
        too_deep()
    ))
    .unwrap();
    let name = unique_name("rolled-back");
    let r = admin.post(
        "/agents/register-build",
        &json!({"name": name, "description": "d"}),
    );
    assert_eq!(r.status, 500, "{}", r.body);
    conn.batch_execute("DROP TRIGGER poison ON agents").unwrap();
    assert_eq!(admin.get(&format!("/agents/name/{name}")).status, 404);
    assert_eq!(admin.get("/agents").header("x-total-count"), Some("0"));
    let again = admin.post(
        "/agents/register-build",
        &json!({"name": name, "description": "d"}),
    );
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.header("registry-created"), Some("true"));
}
