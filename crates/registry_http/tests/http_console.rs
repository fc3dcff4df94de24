//! HTTP tests of the console (`/ui`), the API reference (`/docs`), the index (`/`) and
//! `/whoami`: embedded files with their media types and strict headers (contract §12). The
//! browser tests are in tests/e2e/e2e_console.rs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::test::TestRequest;
use common::{admin, app, send, state};

const UI_CSP: &str = "default-src 'self'; frame-ancestors 'none'";

fn header<'a>(r: &'a common::Reply, name: &str) -> &'a str {
    r.headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name}"))
        .to_str()
        .unwrap()
}

#[actix_web::test]
async fn ui_pages_and_files_carry_the_strict_headers() {
    let app = app(state()).await;
    for (path, media_type) in [
        ("/ui", "text/html; charset=utf-8"),
        ("/ui/", "text/html; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
        ("/ui/app.js", "text/javascript; charset=utf-8"),
        ("/ui/agents.js", "text/javascript; charset=utf-8"),
        ("/ui/console.css", "text/css; charset=utf-8"),
        ("/ui/favicon.svg", "image/svg+xml"),
    ] {
        let r = send(&app, TestRequest::get().uri(path)).await;
        assert_eq!(r.status.as_u16(), 200, "{path}");
        assert_eq!(header(&r, "content-type"), media_type, "{path}");
        assert_eq!(header(&r, "content-security-policy"), UI_CSP, "{path}");
        assert_eq!(header(&r, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&r, "referrer-policy"), "no-referrer", "{path}");
        assert!(r.headers.get("set-cookie").is_none(), "{path}");
    }
}

#[actix_web::test]
async fn the_console_page_has_no_inline_script_or_style_and_the_test_hooks() {
    let app = app(state()).await;
    let r = send(&app, TestRequest::get().uri("/ui")).await;
    let html = String::from_utf8(r.raw).unwrap();
    assert!(
        !html.contains("<script>") && !html.contains("<style"),
        "{html}"
    );
    assert!(!html.contains("style="), "{html}");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );
    for hook in ["token-input", "sign-in", "sign-out"] {
        assert!(html.contains(&format!("data-testid=\"{hook}\"")), "{hook}");
    }
    let mut scripts = String::new();
    for file in [
        "app.js",
        "agents.js",
        "agent.js",
        "dom.js",
        "api.js",
        "search.js",
    ] {
        let r = send(&app, TestRequest::get().uri(&format!("/ui/{file}"))).await;
        assert_eq!(r.status.as_u16(), 200, "{file}");
        scripts.push_str(&String::from_utf8(r.raw).unwrap());
    }
    assert!(!scripts.contains("innerHTML") && !scripts.contains("insertAdjacentHTML"));
    for hook in ["agents-table", "agent-detail", "agent-events"] {
        assert!(
            scripts.contains(&format!("\"data-testid\": \"{hook}\"")),
            "{hook}"
        );
    }
}

#[actix_web::test]
async fn docs_serves_the_vendored_viewer_with_its_licence() {
    let app = app(state()).await;
    let page = send(&app, TestRequest::get().uri("/docs")).await;
    assert_eq!(page.status.as_u16(), 200);
    assert_eq!(
        header(&page, "content-security-policy"),
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
    );
    assert_eq!(header(&page, "x-content-type-options"), "nosniff");
    let html = String::from_utf8(page.raw).unwrap();
    assert!(html.contains("/docs/swagger-ui-bundle.js"), "{html}");
    let bundle = send(&app, TestRequest::get().uri("/docs/swagger-ui-bundle.js")).await;
    assert_eq!(bundle.status.as_u16(), 200);
    assert!(bundle.raw.len() > 1_000_000, "{}", bundle.raw.len());
    let licence = send(&app, TestRequest::get().uri("/docs/LICENSE")).await;
    assert_eq!(licence.status.as_u16(), 200);
    assert!(String::from_utf8(licence.raw)
        .unwrap()
        .contains("Apache License"));
}

#[actix_web::test]
async fn an_unknown_file_is_the_problem_404() {
    let app = app(state()).await;
    for path in [
        "/ui/nope.js",
        "/docs/../Cargo.toml",
        "/docs/index.html",
        "/ui/a/b",
    ] {
        let r = send(&app, TestRequest::get().uri(path)).await;
        assert_eq!(r.status.as_u16(), 404, "{path}");
        assert_eq!(r.json["code"], "not_found", "{path}: {}", r.json);
    }
}

#[actix_web::test]
async fn whoami_names_the_principal_and_org() {
    let app = app(state()).await;
    let r = send(
        &app,
        TestRequest::get().uri("/whoami").insert_header(admin()),
    )
    .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.json);
    assert_eq!(r.json["principal"], "admin");
    assert_eq!(r.json["org"], "default");
    assert_eq!(r.json["platform_admin"], true);
    let anonymous = send(&app, TestRequest::get().uri("/whoami")).await;
    assert_eq!(anonymous.status.as_u16(), 401);
}

#[actix_web::test]
async fn an_unchanged_file_is_a_304_with_its_etag() {
    let app = app(state()).await;
    for path in ["/ui", "/docs/swagger-ui-bundle.js"] {
        let first = send(&app, TestRequest::get().uri(path)).await;
        let etag = header(&first, "etag").to_owned();
        assert!(etag.starts_with("W/\"") && etag.len() == 20, "{etag}");
        let again = send(
            &app,
            TestRequest::get()
                .uri(path)
                .insert_header(("If-None-Match", etag.as_str())),
        )
        .await;
        assert_eq!(again.status.as_u16(), 304, "{path}");
        assert!(again.raw.is_empty(), "{path}");
        assert_eq!(header(&again, "etag"), etag, "{path}");
        assert!(!header(&again, "content-security-policy").is_empty());
        let other = send(
            &app,
            TestRequest::get()
                .uri(path)
                .insert_header(("If-None-Match", "\"0000000000000000\"")),
        )
        .await;
        assert_eq!(other.status.as_u16(), 200, "{path}");
    }
}
