//! `/whoami`: who the credential is and which org the request acts in (the console shows it
//! after sign-in, and a script can check a token without touching any resource).

use crate::auth::Caller;
use crate::dto::WhoAmIResponse;
use actix_web::HttpResponse;

/// The caller's principal and org (any valid credential).
#[utoipa::path(get, path = "/whoami", tag = "service_tokens",
    responses((status = 200, body = WhoAmIResponse)))]
pub async fn whoami(caller: Caller) -> HttpResponse {
    HttpResponse::Ok().json(WhoAmIResponse {
        principal: caller.0.to_string(),
        org: caller.1.slug.to_string(),
        platform_admin: caller.0.is_platform_admin(),
    })
}
