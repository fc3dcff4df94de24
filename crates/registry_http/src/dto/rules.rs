//! The input rules the server enforces, as OpenAPI schemas: one named schema per rule, built
//! from the domain's own constants and enumerations, and referenced by the DTO fields
//! (`#[schema(value_type = rules::AgentName)]`) and the parameter structs (`params.rs`). These
//! types only describe; the domain's parsers enforce. Where a rule cannot be written in JSON
//! Schema (the byte size of a metadata object), the schema says it in words and declares only
//! what is exact.

use registry_domain::paging::{DEFAULT_LIMIT, MAX_LIMIT};
use registry_domain::{
    self as domain, MAX_DESCRIPTION_LEN, MAX_EXTERNAL_ID_LEN, MAX_IMAGE_LEN, MAX_METADATA_BYTES,
    MAX_NAME_LEN, MAX_NUMBER_CHARS, MAX_PRINCIPAL_NAME_LEN, MAX_URL_LEN,
};
use registry_usecases::MAX_KEY_NAME_LEN;
use std::borrow::Cow;
use utoipa::openapi::schema::{
    AdditionalProperties, AllOfBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat,
    SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr, Schema};

/// The longest text filter `GET /agents/search` reads (`registry_http::routes::cards`).
pub const MAX_SEARCH_TEXT_LEN: usize = 1000;

/// Text without the NUL character, which PostgreSQL cannot store (refused everywhere: 422).
pub const NO_NUL: &str = "^[^\\u0000]*$";

/// The character classes that Rust's `trim`, ECMAScript's `\s` or Python's `\s` treat as white
/// space, plus NUL: a value must hold one character outside them to be "not blank" for all.
const NOT_BLANK_CHAR: &str = "[^\\u0000\\t\\n\\u000b\\f\\r \\u001c-\\u001f\\u0085\\u00a0\
                              \\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]";

/// `[A-Za-z0-9-_.@]`: the characters of a user, service or service-token name.
const PRINCIPAL_NAME_CHARS: &str = "[A-Za-z0-9._@-]";

/// A UUID in its hyphenated form (the server also accepts the other forms `uuid` parses).
const UUID: &str = "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}";

/// A string schema.
fn text() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// A string schema whose value is one of `values`.
fn one_of_words<'a>(values: impl IntoIterator<Item = &'a str>, description: &str) -> ObjectBuilder {
    text()
        .enum_values(Some(values))
        .description(Some(description))
}

/// Schema-only types: each is a named component whose schema is the expression after `=>`.
macro_rules! rule {
    ($($(#[$doc:meta])* $name:ident => $schema:expr;)+) => {$(
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                $schema.into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    )+};
}

rule! {
    /// An id. `format: uuid` alone asserts nothing in JSON Schema 2020-12 (formats are
    /// annotations), so the pattern states it.
    Id => uuid()
        .pattern(Some(format!("^{UUID}$")))
        .description(Some(
            "A UUID, hyphenated (the server also reads the other forms of RFC 9562 text).",
        ));

    /// An agent's name: unique among live agents, a DNS label.
    AgentName => text()
        .pattern(Some("^[a-z0-9-]+$"))
        .min_length(Some(1))
        .max_length(Some(MAX_NAME_LEN))
        .description(Some("Agent name: `^[a-z0-9-]+$`, 1 to 63 characters."))
        .examples(["my-agent"])
        ;

    /// Free text describing an agent.
    Description => text()
        .pattern(Some(NO_NUL))
        .max_length(Some(MAX_DESCRIPTION_LEN))
        .description(Some("Free text: at most 4096 characters, no NUL."))
        ;

    /// Registration metadata: a JSON object, bounded in bytes.
    RegistrationMetadata => metadata(None);

    /// Registration metadata of `POST /agents/register`, whose `deployment_id` member makes the
    /// registration deployment-scoped.
    RegisterMetadata => metadata(Some(
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
            .pattern(Some(format!("^{UUID}$")))
            .description(Some(
                "When a UUID: register that deployment of the agent (it must exist) instead of \
                 the agent itself.",
            ))
            .into(),
    ));

    /// Where an agent or a deployment serves.
    AcpUrl => text()
        .pattern(Some(ACP_URL))
        .max_length(Some(MAX_URL_LEN))
        .description(Some(
            "An absolute http or https URL with a host, at most 2048 characters. The pattern is \
             a safe subset (host names and IPv4 addresses, a port, a plain path and query); the \
             server accepts every such URL its URL parser reads, IPv6 hosts included.",
        ))
        .examples(["http://my-agent.agents.svc:8000"])
        ;

    /// An image reference.
    DockerImage => text()
        .pattern(Some(not_blank()))
        .min_length(Some(1))
        .max_length(Some(MAX_IMAGE_LEN))
        .description(Some("Image reference: at most 1024 characters, not blank, no NUL."))
        .examples(["registry.example.com/my-agent:1.2.3"])
        ;

    /// A short identifier from another system (`sgp_deploy_id`, `helm_release_name`).
    ExternalId => text()
        .pattern(Some(NO_NUL))
        .max_length(Some(MAX_EXTERNAL_ID_LEN))
        .description(Some("At most 255 characters, no NUL."))
        ;

    /// The name of an agent API key.
    ApiKeyName => text()
        .pattern(Some("^[^\\u0000-\\u001f\\u007f-\\u009f]+$"))
        .min_length(Some(1))
        .max_length(Some(MAX_KEY_NAME_LEN))
        .description(Some("1 to 255 characters, no control characters."))
        ;

    /// An org's handle.
    OrgSlug => text()
        .pattern(Some("^[a-z0-9-]+$"))
        .min_length(Some(1))
        .max_length(Some(registry_domain::org::MAX_SLUG_LEN))
        .description(Some("Org slug: `^[a-z0-9-]+$`, 1 to 63 characters, unique, immutable."))
        .examples(["payments"])
        ;

    /// An org's human-readable name.
    OrgDisplayName => text()
        .pattern(Some("[^\\s]"))
        .min_length(Some(1))
        .max_length(Some(registry_domain::org::MAX_DISPLAY_NAME_LEN))
        .description(Some("1 to 255 characters, not only blanks, no NUL."))
        ;

    /// An org's quota on live agents.
    MaxAgents => ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
        .minimum(Some(0))
        .maximum(Some(i32::MAX))
        .description(Some("Most live (non-Deleted) agents; null: unlimited."))
        ;

    /// The name of a service token, which is also its principal's name.
    ServiceTokenName => text()
        .pattern(Some(format!("^{PRINCIPAL_NAME_CHARS}+$")))
        .min_length(Some(1))
        .max_length(Some(MAX_PRINCIPAL_NAME_LEN))
        .description(Some("1 to 128 characters of `[A-Za-z0-9-_.@]`."))
        ;

    /// Who a grant gives a role to.
    Grantee => text()
        .pattern(Some(format!(
            "^(user|service):{PRINCIPAL_NAME_CHARS}{{1,{MAX_PRINCIPAL_NAME_LEN}}}$"
        )))
        .description(Some(
            "`user:<name>` or `service:<name>` (name: 1 to 128 characters of `[A-Za-z0-9-_.@]`); \
             the admin and agents hold no grants.",
        ))
        .examples(["user:alice"])
        ;

    /// Any principal, in its textual form.
    Principal => text()
        .pattern(Some(format!(
            "^(admin|(user|service):{PRINCIPAL_NAME_CHARS}{{1,{MAX_PRINCIPAL_NAME_LEN}}}|agent:{UUID})$"
        )))
        .description(Some("`admin`, `user:<name>`, `service:<name>` or `agent:<uuid>`."))
        .examples(["user:alice"])
        ;

    /// How the registry talks to the agent.
    AcpType => one_of_words(
        domain::AcpType::ALL.iter().map(|t| t.as_str()),
        "`sync`, `async` or `agentic` (a deprecated alias of `async`, kept as sent).",
    );

    /// What input the agent takes.
    AgentInputType => one_of_words(
        domain::AgentInputType::ALL.iter().map(|t| t.as_str()),
        "`text` or `json`.",
    );

    /// An agent's lifecycle status.
    AgentStatus => one_of_words(
        domain::AgentStatus::ALL.iter().map(|s| s.as_str()),
        "Lifecycle status (docs/state-machine.md).",
    );

    /// The purpose of an agent API key.
    ApiKeyType => one_of_words(
        domain::ApiKeyType::ALL.iter().map(|t| t.as_str()),
        "Only `internal` keys authenticate; the others are kept for integrations.",
    );

    /// A role on an agent.
    Role => one_of_words(domain::Role::ALL.iter().map(|r| r.as_str()), "`owner`, `editor` or `viewer`.");

    /// Whom a service token stands for.
    ServiceTokenKind => one_of_words(
        registry_usecases::ServiceTokenKind::ALL.iter().map(|k| k.as_str()),
        "`user` (the default) or `service`.",
    );

    /// Sort direction of a list.
    OrderDirection => one_of_words(
        ["asc", "desc"],
        "`asc` or `desc` (the default); the server also reads them in any letter case.",
    );

    /// Sort keys of `GET /agents`.
    AgentOrderBy => one_of_words(
        ["created_at", "updated_at", "name", "last_seen_at"],
        "`updated_at` (the default), `created_at`, `name` or `last_seen_at`.",
    );

    /// The one sort key of a deployment list.
    DeploymentOrderBy => one_of_words(["created_at"], "`created_at` (the only key).");

    /// The one sort key of the deployment history.
    HistoryOrderBy => one_of_words(
        ["deployment_timestamp"],
        "`deployment_timestamp` (the only key).",
    );

    /// A JSON object given as text (the agent-card metadata filter of `GET /agents`).
    CardMetadataFilter => text()
        .pattern(Some(CARD_FILTER))
        .content_media_type("application/json")
        .description(Some(
            "A JSON object, as text (contained in `registration_metadata.agent_card.metadata`), \
             with the rules of metadata (no NUL; numbers within a double). The pattern is a safe \
             subset: flat objects of short string members.",
        ))
        .examples([r#"{"team":"search"}"#]);

    /// Text a parameter carries as given (no NUL).
    FreeText => text().pattern(Some(NO_NUL));

    /// Rows per page.
    Limit => ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(MAX_LIMIT))
        .default(Some(DEFAULT_LIMIT.into()))
        .description(Some("Rows per page, 1 to 1000 (default 50)."))
        ;

    /// 1-based page number.
    PageNumber => ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(u32::MAX))
        .default(Some(1.into()))
        .description(Some("1-based page number (default 1)."))
        ;

    /// A text filter of `GET /agents/search` (`q`, `skill`, `tag`, `input_mode`, `output_mode`).
    SearchText => text()
        .pattern(Some(NO_NUL))
        .min_length(Some(1))
        .max_length(Some(MAX_SEARCH_TEXT_LEN))
        .description(Some("1 to 1000 characters, no NUL."))
        ;

    /// A capability filter of `GET /agents/search`.
    CapabilityFilter => text()
        .pattern(Some("^[a-z0-9_-]+:([a-z0-9_-]+|\\*)$"))
        .max_length(Some(registry_domain::card::MAX_CAPABILITY_LEN))
        .description(Some(
            "`resource:action`, lowercase `[a-z0-9_-]`, the action may be `*`; at most 200 \
             characters.",
        ))
        .examples(["data:read"])
        ;

    /// Results per page of `GET /agents/search`.
    SearchLimit => ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(registry_ports::MAX_SEARCH_LIMIT))
        .default(Some(registry_ports::DEFAULT_SEARCH_LIMIT.into()))
        .description(Some("Results per page, 1 to 100 (default 20)."))
        ;

    /// Results skipped by `GET /agents/search`.
    SearchOffset => ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(0))
        .maximum(Some(registry_ports::MAX_SEARCH_OFFSET))
        .default(Some(0.into()))
        .description(Some("Results skipped, 0 to 10000 (default 0)."))
        ;

    /// What `PATCH /webhooks/{id}` may set a subscription's status to.
    WebhookStatusInput => one_of_words(
        ["enabled", "disabled"],
        "`enabled` (also restarts a `failing` subscription at its position) or `disabled`.",
    );

    /// The agent a query addresses: exactly one of `agent_id` and `agent_name`.
    AgentSelector => AllOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property("agent_id", uuid_ref())
                .property("agent_name", agent_name_ref())
                .additional_properties(Some(AdditionalProperties::FreeForm(false))),
        )
        .item(exactly_one_selector())
        .description(Some(
            "Exactly one of `agent_id` and `agent_name` (neither or both: 400).",
        ))
        ;
}

/// `^…$` around one character that is not blank, between any non-NUL text.
fn not_blank() -> String {
    format!("^[^\\u0000]*{NOT_BLANK_CHAR}[^\\u0000]*$")
}

/// A safe subset of absolute http(s) URLs (see [`AcpUrl`]): a scheme in any letter case, a host
/// name whose labels start with a letter and have no doubled or trailing hyphen (so no IDNA
/// `xn--` label and no number the URL parser would read as an IPv4 address) or a dotted IPv4
/// address, a port of at most four digits, a path and a query of unreserved characters.
const ACP_URL: &str = "^[Hh][Tt][Tt][Pp][Ss]?://\
    ([A-Za-z](-?[A-Za-z0-9])*(\\.[A-Za-z](-?[A-Za-z0-9])*)*\
    |((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]))\
    (:[0-9]{1,4})?(/[A-Za-z0-9._~-]*)*(\\?[A-Za-z0-9._~=&-]*)?$";

/// Flat JSON objects of short string members: a subset of what the card-metadata filter
/// accepts, simple enough for a generator to produce only JSON.
const CARD_FILTER: &str = "^\\{(\"[a-z_]{1,16}\":\"[A-Za-z0-9 _.-]{0,32}\"\
    (,\"[a-z_]{1,16}\":\"[A-Za-z0-9 _.-]{0,32}\")*)?\\}$";

/// A UUID string.
fn uuid() -> ObjectBuilder {
    text().format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
}

/// A reference to the [`Id`] component.
fn uuid_ref() -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name("Id"))
}

/// A reference to the [`AgentName`] component.
fn agent_name_ref() -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name("AgentName"))
}

/// Exactly one of `agent_id` and `agent_name` is a string (a `null` one counts as absent).
pub fn exactly_one_selector() -> OneOfBuilder {
    let present = |member: &str| {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(member, text())
            .required(member)
    };
    OneOfBuilder::new()
        .item(present("agent_id"))
        .item(present("agent_name"))
}

/// The metadata schema, with `deployment_id` declared when given.
fn metadata(deployment_id: Option<RefOr<Schema>>) -> ObjectBuilder {
    let schema = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(format!(
            "A JSON object of at most {MAX_METADATA_BYTES} bytes written compactly (a byte size \
         JSON Schema cannot state). No string or key may hold NUL; numbers are stored exactly, \
         within the range of a double and at most {MAX_NUMBER_CHARS} characters written out in \
         plain decimal."
        )));
    match deployment_id {
        Some(member) => schema.property("deployment_id", member),
        None => schema,
    }
}

/// A member the server refuses unless it is null or absent (`api_key`: secrets are generated
/// by the server).
pub fn refused() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Null)
        .description(Some(
            "Refused (422) unless null: the server generates secrets.",
        ))
}
