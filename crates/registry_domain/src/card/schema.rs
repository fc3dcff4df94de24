//! The A2A v1.0 `AgentCard` and the messages it holds, as in `specification/a2a.proto` of the
//! A2A repository (tag v1.0.1): each field under its protobuf JSON name (lowerCamelCase), its
//! type, and whether the proto marks it `REQUIRED`. One table drives both validation and the
//! canonical form, so the two cannot disagree about a field.

/// The type of a field's JSON value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ty {
    /// `string`. Empty is the protobuf default: absent from the canonical form.
    Str,
    /// `bool`. `presence` is the proto's `optional` keyword: a plain `bool` set to `false` is the
    /// protobuf default and absent from the canonical form; an `optional bool` is kept.
    Bool {
        /// Whether the field is declared `optional` (explicit presence).
        presence: bool,
    },
    /// `google.protobuf.Struct`: any JSON object; its numbers are doubles.
    Struct,
    /// A message.
    Msg(&'static Msg),
    /// `repeated T`.
    List(&'static Ty),
    /// `map<string, T>`.
    Map(&'static Ty),
}

/// Checks beyond the type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// Nothing more.
    None,
    /// An absolute `http` or `https` URL with a host (contract §11: `supportedInterfaces[].url`).
    HttpUrl,
}

/// One field of a message.
#[derive(Debug)]
pub(crate) struct Field {
    /// The protobuf JSON name.
    pub name: &'static str,
    /// The proto field name (snake_case), named in the hint when a client spells it so.
    pub proto_name: &'static str,
    pub ty: Ty,
    /// `[(google.api.field_behavior) = REQUIRED]`: present, and a string non-empty, a list or
    /// map with at least one element (A2A §5.7).
    pub required: bool,
    pub check: Check,
}

/// A message: its fields, and whether they form one `oneof` (exactly one of them set).
#[derive(Debug)]
pub(crate) struct Msg {
    pub name: &'static str,
    pub fields: &'static [Field],
    pub oneof: bool,
}

impl Msg {
    pub(crate) fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

const fn field(name: &'static str, proto_name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        proto_name,
        ty,
        required: false,
        check: Check::None,
    }
}

const fn required(name: &'static str, proto_name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        proto_name,
        ty,
        required: true,
        check: Check::None,
    }
}

const STR: Ty = Ty::Str;
const STRINGS: Ty = Ty::List(&STR);
const STRING_MAP: Ty = Ty::Map(&STR);
const PLAIN_BOOL: Ty = Ty::Bool { presence: false };
const OPTIONAL_BOOL: Ty = Ty::Bool { presence: true };

pub(crate) static AGENT_CARD: Msg = Msg {
    name: "AgentCard",
    oneof: false,
    fields: &[
        required("name", "name", STR),
        required("description", "description", STR),
        required(
            "supportedInterfaces",
            "supported_interfaces",
            Ty::List(&Ty::Msg(&AGENT_INTERFACE)),
        ),
        field("provider", "provider", Ty::Msg(&AGENT_PROVIDER)),
        required("version", "version", STR),
        field("documentationUrl", "documentation_url", STR),
        required("capabilities", "capabilities", Ty::Msg(&AGENT_CAPABILITIES)),
        field(
            "securitySchemes",
            "security_schemes",
            Ty::Map(&Ty::Msg(&SECURITY_SCHEME)),
        ),
        field(
            "securityRequirements",
            "security_requirements",
            Ty::List(&Ty::Msg(&SECURITY_REQUIREMENT)),
        ),
        required("defaultInputModes", "default_input_modes", STRINGS),
        required("defaultOutputModes", "default_output_modes", STRINGS),
        required("skills", "skills", Ty::List(&Ty::Msg(&AGENT_SKILL))),
        field(
            "signatures",
            "signatures",
            Ty::List(&Ty::Msg(&AGENT_CARD_SIGNATURE)),
        ),
        field("iconUrl", "icon_url", STR),
    ],
};

static AGENT_INTERFACE: Msg = Msg {
    name: "AgentInterface",
    oneof: false,
    fields: &[
        Field {
            check: Check::HttpUrl,
            ..required("url", "url", STR)
        },
        required("protocolBinding", "protocol_binding", STR),
        field("tenant", "tenant", STR),
        required("protocolVersion", "protocol_version", STR),
    ],
};

static AGENT_PROVIDER: Msg = Msg {
    name: "AgentProvider",
    oneof: false,
    fields: &[
        required("url", "url", STR),
        required("organization", "organization", STR),
    ],
};

static AGENT_CAPABILITIES: Msg = Msg {
    name: "AgentCapabilities",
    oneof: false,
    fields: &[
        field("streaming", "streaming", OPTIONAL_BOOL),
        field("pushNotifications", "push_notifications", OPTIONAL_BOOL),
        field(
            "extensions",
            "extensions",
            Ty::List(&Ty::Msg(&AGENT_EXTENSION)),
        ),
        field("extendedAgentCard", "extended_agent_card", OPTIONAL_BOOL),
    ],
};

static AGENT_EXTENSION: Msg = Msg {
    name: "AgentExtension",
    oneof: false,
    fields: &[
        field("uri", "uri", STR),
        field("description", "description", STR),
        field("required", "required", PLAIN_BOOL),
        field("params", "params", Ty::Struct),
    ],
};

pub(crate) static AGENT_SKILL: Msg = Msg {
    name: "AgentSkill",
    oneof: false,
    fields: &[
        required("id", "id", STR),
        required("name", "name", STR),
        required("description", "description", STR),
        required("tags", "tags", STRINGS),
        field("examples", "examples", STRINGS),
        field("inputModes", "input_modes", STRINGS),
        field("outputModes", "output_modes", STRINGS),
        field(
            "securityRequirements",
            "security_requirements",
            Ty::List(&Ty::Msg(&SECURITY_REQUIREMENT)),
        ),
    ],
};

static AGENT_CARD_SIGNATURE: Msg = Msg {
    name: "AgentCardSignature",
    oneof: false,
    fields: &[
        required("protected", "protected", STR),
        required("signature", "signature", STR),
        field("header", "header", Ty::Struct),
    ],
};

static STRING_LIST: Msg = Msg {
    name: "StringList",
    oneof: false,
    fields: &[field("list", "list", STRINGS)],
};

static SECURITY_REQUIREMENT: Msg = Msg {
    name: "SecurityRequirement",
    oneof: false,
    fields: &[field("schemes", "schemes", Ty::Map(&Ty::Msg(&STRING_LIST)))],
};

static SECURITY_SCHEME: Msg = Msg {
    name: "SecurityScheme",
    oneof: true,
    fields: &[
        field(
            "apiKeySecurityScheme",
            "api_key_security_scheme",
            Ty::Msg(&API_KEY_SECURITY_SCHEME),
        ),
        field(
            "httpAuthSecurityScheme",
            "http_auth_security_scheme",
            Ty::Msg(&HTTP_AUTH_SECURITY_SCHEME),
        ),
        field(
            "oauth2SecurityScheme",
            "oauth2_security_scheme",
            Ty::Msg(&OAUTH2_SECURITY_SCHEME),
        ),
        field(
            "openIdConnectSecurityScheme",
            "open_id_connect_security_scheme",
            Ty::Msg(&OPEN_ID_CONNECT_SECURITY_SCHEME),
        ),
        field(
            "mtlsSecurityScheme",
            "mtls_security_scheme",
            Ty::Msg(&MUTUAL_TLS_SECURITY_SCHEME),
        ),
    ],
};

static API_KEY_SECURITY_SCHEME: Msg = Msg {
    name: "APIKeySecurityScheme",
    oneof: false,
    fields: &[
        field("description", "description", STR),
        required("location", "location", STR),
        required("name", "name", STR),
    ],
};

static HTTP_AUTH_SECURITY_SCHEME: Msg = Msg {
    name: "HTTPAuthSecurityScheme",
    oneof: false,
    fields: &[
        field("description", "description", STR),
        required("scheme", "scheme", STR),
        field("bearerFormat", "bearer_format", STR),
    ],
};

static OAUTH2_SECURITY_SCHEME: Msg = Msg {
    name: "OAuth2SecurityScheme",
    oneof: false,
    fields: &[
        field("description", "description", STR),
        required("flows", "flows", Ty::Msg(&OAUTH_FLOWS)),
        field("oauth2MetadataUrl", "oauth2_metadata_url", STR),
    ],
};

static OPEN_ID_CONNECT_SECURITY_SCHEME: Msg = Msg {
    name: "OpenIdConnectSecurityScheme",
    oneof: false,
    fields: &[
        field("description", "description", STR),
        required("openIdConnectUrl", "open_id_connect_url", STR),
    ],
};

static MUTUAL_TLS_SECURITY_SCHEME: Msg = Msg {
    name: "MutualTlsSecurityScheme",
    oneof: false,
    fields: &[field("description", "description", STR)],
};

static OAUTH_FLOWS: Msg = Msg {
    name: "OAuthFlows",
    oneof: true,
    fields: &[
        field(
            "authorizationCode",
            "authorization_code",
            Ty::Msg(&AUTHORIZATION_CODE_OAUTH_FLOW),
        ),
        field(
            "clientCredentials",
            "client_credentials",
            Ty::Msg(&CLIENT_CREDENTIALS_OAUTH_FLOW),
        ),
        field("implicit", "implicit", Ty::Msg(&IMPLICIT_OAUTH_FLOW)),
        field("password", "password", Ty::Msg(&PASSWORD_OAUTH_FLOW)),
        field(
            "deviceCode",
            "device_code",
            Ty::Msg(&DEVICE_CODE_OAUTH_FLOW),
        ),
    ],
};

static AUTHORIZATION_CODE_OAUTH_FLOW: Msg = Msg {
    name: "AuthorizationCodeOAuthFlow",
    oneof: false,
    fields: &[
        required("authorizationUrl", "authorization_url", STR),
        required("tokenUrl", "token_url", STR),
        field("refreshUrl", "refresh_url", STR),
        required("scopes", "scopes", STRING_MAP),
        field("pkceRequired", "pkce_required", PLAIN_BOOL),
    ],
};

static CLIENT_CREDENTIALS_OAUTH_FLOW: Msg = Msg {
    name: "ClientCredentialsOAuthFlow",
    oneof: false,
    fields: &[
        required("tokenUrl", "token_url", STR),
        field("refreshUrl", "refresh_url", STR),
        required("scopes", "scopes", STRING_MAP),
    ],
};

static IMPLICIT_OAUTH_FLOW: Msg = Msg {
    name: "ImplicitOAuthFlow",
    oneof: false,
    fields: &[
        field("authorizationUrl", "authorization_url", STR),
        field("refreshUrl", "refresh_url", STR),
        field("scopes", "scopes", STRING_MAP),
    ],
};

static PASSWORD_OAUTH_FLOW: Msg = Msg {
    name: "PasswordOAuthFlow",
    oneof: false,
    fields: &[
        field("tokenUrl", "token_url", STR),
        field("refreshUrl", "refresh_url", STR),
        field("scopes", "scopes", STRING_MAP),
    ],
};

static DEVICE_CODE_OAUTH_FLOW: Msg = Msg {
    name: "DeviceCodeOAuthFlow",
    oneof: false,
    fields: &[
        required("deviceAuthorizationUrl", "device_authorization_url", STR),
        required("tokenUrl", "token_url", STR),
        field("refreshUrl", "refresh_url", STR),
        required("scopes", "scopes", STRING_MAP),
    ],
};
