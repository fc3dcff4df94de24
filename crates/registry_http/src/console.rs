//! The web console (`GET /ui`) and the API reference (`GET /docs`), contract §12: static files
//! embedded in the binary, no CDN, nothing to build. The console is plain HTML, CSS and
//! JavaScript modules (`console/`) that call the API with the token the user pastes; the
//! reference is the vendored Swagger UI (`vendor/swagger-ui-dist/`, version in
//! `vendor/README.md`) started by our own `docs.js` on `/openapi.json`.
//!
//! Every response carries strict headers: the console's CSP allows only its own origin (no
//! inline script or style, no framing); the reference's CSP adds only what Swagger UI needs
//! (`data:` images, which its stylesheet uses for icons).

use crate::routes::{etag_listed, if_none_match};
use actix_web::http::header::{
    HeaderValue, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS,
};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Mutex, OnceLock};

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

const UI_PAGE: Asset = console_file!("index.html", HTML);
const DOCS_PAGE: Asset = console_file!("docs.html", HTML);
const ROOT_PAGE: Asset = console_file!("root.html", HTML);

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
async fn root(req: HttpRequest) -> HttpResponse {
    page(&req, UI_CSP, &ROOT_PAGE)
}

/// `/ui`: the console's single page.
async fn ui(req: HttpRequest) -> HttpResponse {
    page(&req, UI_CSP, &UI_PAGE)
}

/// `/docs`: the API reference page.
async fn docs(req: HttpRequest) -> HttpResponse {
    page(&req, DOCS_CSP, &DOCS_PAGE)
}

/// `/ui/{file}`: one of the console's files, else 404.
async fn ui_asset(req: HttpRequest, file: web::Path<String>) -> HttpResponse {
    asset(&req, UI_ASSETS, UI_CSP, &file)
}

/// `/docs/{file}`: one of the reference's files, else 404.
async fn docs_asset(req: HttpRequest, file: web::Path<String>) -> HttpResponse {
    asset(&req, DOCS_ASSETS, DOCS_CSP, &file)
}

fn asset(req: &HttpRequest, assets: &[Asset], csp: &'static str, name: &str) -> HttpResponse {
    match assets.iter().find(|a| a.name == name) {
        Some(a) => page(req, csp, a),
        None => crate::error::ApiError::route_not_found().error_response(),
    }
}

/// 200 with `bytes`, their `ETag` and the strict headers, or 304 when `If-None-Match` names the
/// tag. `no-cache`: a browser revalidates every time, so a new binary's files are never mixed
/// with an old one's, and an unchanged file costs a 304 instead of its bytes (the Swagger UI
/// bundle is 1.7 MB).
fn page(req: &HttpRequest, csp: &'static str, file: &Asset) -> HttpResponse {
    let etag = etag_of(file);
    let unchanged = if_none_match(req).is_some_and(|tags| etag_listed(&tags, &etag));
    let mut res = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp)))
        .insert_header((X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .insert_header((REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .insert_header((ETAG, etag));
    if unchanged {
        return res.finish();
    }
    res.insert_header((CONTENT_TYPE, HeaderValue::from_static(file.media_type)))
        .body(file.bytes)
}

/// A weak entity tag for an embedded file (weak: the compression middleware may send other
/// bytes of the same file): a hash of its bytes, the same in every process of one binary
/// (`DefaultHasher::new` has fixed keys), computed once per file name.
fn etag_of(file: &Asset) -> String {
    static TAGS: OnceLock<Mutex<HashMap<&'static str, String>>> = OnceLock::new();
    let mut tags = TAGS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    tags.entry(file.name)
        .or_insert_with(|| {
            let mut hasher = DefaultHasher::new();
            file.bytes.hash(&mut hasher);
            format!("W/\"{:016x}\"", hasher.finish())
        })
        .clone()
}
