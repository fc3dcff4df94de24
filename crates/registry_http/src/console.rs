//! The web console (`GET /ui`) and the API reference (`GET /docs`), contract §12: static files
//! embedded in the binary, no CDN, nothing to build. The console is plain HTML, CSS and
//! JavaScript modules (`console/`) that call the API with the token the user pastes; the
//! reference is the vendored Swagger UI (`vendor/swagger-ui-dist/`, version in
//! `vendor/README.md`) started by our own `docs.js` on `/openapi.json`.
//!
//! Every response carries strict headers: the console's CSP allows only its own origin (no
//! inline script or style, no framing); the reference's CSP adds only what Swagger UI needs
//! (`data:` images, which its stylesheet uses for icons).

use actix_web::http::header::{
    HeaderValue, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS,
};
use actix_web::{web, HttpResponse, ResponseError};

/// The console's policy: its own origin only, never framed.
pub const UI_CSP: &str = "default-src 'self'; frame-ancestors 'none'";

/// The reference's policy: the console's, plus `data:` images (Swagger UI's stylesheet draws
/// its icons as `data:` SVGs).
pub const DOCS_CSP: &str = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

/// One embedded file: its path under `/ui/` or `/docs/`, media type and bytes.
struct Asset {
    name: &'static str,
    media_type: &'static str,
    bytes: &'static [u8],
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// Embeds `console/<name>` with `media_type`.
macro_rules! console_file {
    ($name:literal, $media_type:expr) => {
        Asset {
            name: $name,
            media_type: $media_type,
            bytes: include_bytes!(concat!("../console/", $name)),
        }
    };
}

/// Embeds `vendor/swagger-ui-dist/<name>` with `media_type`.
macro_rules! swagger_file {
    ($name:literal, $media_type:expr) => {
        Asset {
            name: $name,
            media_type: $media_type,
            bytes: include_bytes!(concat!("../vendor/swagger-ui-dist/", $name)),
        }
    };
}

/// The console's files, served under `/ui/`.
const UI_ASSETS: &[Asset] = &[
    console_file!("console.css", CSS),
    console_file!("favicon.svg", "image/svg+xml"),
    console_file!("app.js", JS),
    console_file!("api.js", JS),
    console_file!("dom.js", JS),
    console_file!("search.js", JS),
    console_file!("agents.js", JS),
    console_file!("agent.js", JS),
];

/// The reference's files, served under `/docs/`.
const DOCS_ASSETS: &[Asset] = &[
    console_file!("docs.js", JS),
    console_file!("docs.css", CSS),
    swagger_file!("swagger-ui-bundle.js", JS),
    swagger_file!("swagger-ui.css", CSS),
    swagger_file!("LICENSE", TEXT),
    swagger_file!("NOTICE", TEXT),
    swagger_file!("swagger-ui-bundle.js.LICENSE.txt", TEXT),
];

const UI_PAGE: &[u8] = include_bytes!("../console/index.html");
const DOCS_PAGE: &[u8] = include_bytes!("../console/docs.html");
const ROOT_PAGE: &[u8] = include_bytes!("../console/root.html");

/// Registers `/`, `/ui`, `/ui/{file}`, `/docs` and `/docs/{file}` (GET and HEAD).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/").route(crate::get().to(root)))
        .service(web::resource("/ui").route(crate::get().to(ui)))
        .service(web::resource("/ui/").route(crate::get().to(ui)))
        .service(web::resource("/ui/{file}").route(crate::get().to(ui_asset)))
        .service(web::resource("/docs").route(crate::get().to(docs)))
        .service(web::resource("/docs/").route(crate::get().to(docs)))
        .service(web::resource("/docs/{file}").route(crate::get().to(docs_asset)));
}

/// `/`: a plain index linking the console, the reference and the OpenAPI document.
async fn root() -> HttpResponse {
    page(UI_CSP, HTML, ROOT_PAGE)
}

/// `/ui`: the console's single page.
async fn ui() -> HttpResponse {
    page(UI_CSP, HTML, UI_PAGE)
}

/// `/docs`: the API reference page.
async fn docs() -> HttpResponse {
    page(DOCS_CSP, HTML, DOCS_PAGE)
}

/// `/ui/{file}`: one of the console's files, else 404.
async fn ui_asset(file: web::Path<String>) -> HttpResponse {
    asset(UI_ASSETS, UI_CSP, &file)
}

/// `/docs/{file}`: one of the reference's files, else 404.
async fn docs_asset(file: web::Path<String>) -> HttpResponse {
    asset(DOCS_ASSETS, DOCS_CSP, &file)
}

fn asset(assets: &[Asset], csp: &'static str, name: &str) -> HttpResponse {
    match assets.iter().find(|a| a.name == name) {
        Some(a) => page(csp, a.media_type, a.bytes),
        None => crate::error::ApiError::route_not_found().error_response(),
    }
}

/// 200 with `bytes` and the strict headers. `no-cache`: a browser revalidates, so a new binary's
/// files are never mixed with an old one's.
fn page(csp: &'static str, media_type: &'static str, bytes: &'static [u8]) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, HeaderValue::from_static(media_type)))
        .insert_header((CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp)))
        .insert_header((X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .insert_header((REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .body(bytes)
}
