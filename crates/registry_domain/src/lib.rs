#![doc = include_str!("../README.md")]

pub mod access;
pub mod acp_url;
pub mod agent;
pub mod api_key;
pub mod card;
pub mod deployment;
pub mod enums;
pub mod error;
pub mod event;
pub mod ids;
pub mod json;
pub mod org;
pub mod paging;
pub mod promotion;
pub mod standing;
pub mod state_machine;
pub mod values;
pub mod webhook;

pub use access::{
    minter_authority_holds, Action, Grant, Principal, Role, MAX_PRINCIPAL_NAME_LEN, MINT_ACTION,
};
pub use acp_url::parse_acp_url;
pub use agent::{Agent, NewAgent};
pub use api_key::{ApiKey, ServiceToken};
pub use card::{
    capability_facets, search_words, AgentCard, AgentCardSignature, Capability, CapabilityAction,
    CardErrors, CardVisibility, Facet, StoredCard, TagMatch, MAX_CARD_BYTES, MAX_CARD_DEPTH,
};
pub use deployment::{Deployment, DeploymentHistory};
pub use enums::{AcpType, AgentInputType, AgentStatus, ApiKeyType, DeploymentStatus};
pub use error::ValidationError;
pub use event::{AuditEvent, EventKind, EventTemplate, NewEvent};
pub use ids::{
    AgentId, AgentRef, ApiKeyId, DeploymentId, HistoryId, OrgId, ServiceTokenId, WebhookId,
};
pub use json::{canonical_json, MAX_NUMBER_CHARS};
pub use org::{
    admits_one_more, parse_display_name, Actor, Org, OrgChanges, OrgRef, OrgSlug, QuotaExceeded,
    DEFAULT_ORG_SLUG,
};
pub use paging::{CountBound, Page, PageRequest, SortDirection, MAX_COUNTED};
pub use promotion::{Promotion, PromotionError};
pub use standing::{may_create, Denial, Need, Standing};
pub use state_machine::{apply, decide, Decision, LifecycleEvent, Transition, TransitionError};
pub use values::{
    bounded_text, AgentName, Description, Metadata, MAX_DESCRIPTION_LEN, MAX_EXTERNAL_ID_LEN,
    MAX_IMAGE_LEN, MAX_METADATA_BYTES, MAX_NAME_LEN, MAX_URL_LEN,
};

pub use webhook::{
    forbidden_address, parse_webhook_description, Delivery, PreviousSecret, RetryPolicy,
    TargetRules, Webhook, WebhookChanges, WebhookSecret, WebhookStatus, WebhookUrl,
    WEBHOOK_SECRET_BYTES,
};

/// Timestamps everywhere in the registry are UTC `OffsetDateTime`s.
pub type Timestamp = time::OffsetDateTime;
