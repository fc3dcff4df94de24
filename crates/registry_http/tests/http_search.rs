//! HTTP tests of `GET /agents/search` over the in-memory store: agents without an A2A card are
//! found by their own words, and their results carry no `card` field (contract §11).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::test::TestRequest;
use common::{app, as_admin, register_build, send, state};
use serde_json::json;

#[actix_web::test]
async fn an_agent_without_a_card_is_found_by_its_name_and_has_no_card_field() {
    let app = app(state()).await;
    let agent = register_build(&app, "ledger-keeper").await;
    register_build(&app, "other").await;
    let r = send(
        &app,
        as_admin(TestRequest::get(), "/agents/search?q=ledger"),
    )
    .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.json);
    assert_eq!(r.json["total"], json!(1), "{}", r.json);
    let hit = &r.json["results"][0];
    assert_eq!(hit["agent"]["id"], agent["id"]);
    assert_eq!(hit["agent"]["name"], json!("ledger-keeper"));
    assert!(
        hit.as_object().unwrap().get("card").is_none(),
        "no card field: {hit}"
    );
    assert!(hit["score"].as_f64().unwrap() > 0.0, "{hit}");
    // A card filter never finds it; no words and no filter list every agent.
    let tagged = send(
        &app,
        as_admin(TestRequest::get(), "/agents/search?q=ledger&tag=x"),
    )
    .await;
    assert_eq!(tagged.json["total"], json!(0), "{}", tagged.json);
    let all = send(&app, as_admin(TestRequest::get(), "/agents/search")).await;
    assert_eq!(all.json["total"], json!(2), "{}", all.json);
}
