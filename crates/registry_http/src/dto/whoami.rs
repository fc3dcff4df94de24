//! The `GET /whoami` answer.

use serde::Serialize;
use utoipa::ToSchema;

/// Who a credential is and the org its request acts in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WhoAmIResponse {
    /// `admin`, `admin:<name>`, `user:<name>`, `service:<name>` or `agent:<uuid>`.
    pub principal: String,
    /// The slug of the org the request acts in (for the platform admin, the one `X-Registry-Org`
    /// names, else `default`).
    pub org: String,
    /// True only for the platform admin (`ADMIN_TOKEN`), who may act in any org.
    pub platform_admin: bool,
}
