use super::*;
use serde_json::json;

fn minimal() -> Value {
    json!({
        "name": "Recipe Agent",
        "description": "Helps with recipes.",
        "supportedInterfaces": [
            {"url": "https://agents.example.com/a2a", "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}
        ],
        "version": "1.0.0",
        "capabilities": {},
        "defaultInputModes": ["text/plain"],
        "defaultOutputModes": ["text/plain", "application/json"],
        "skills": [
            {"id": "find", "name": "Find", "description": "Finds recipes.", "tags": ["search", "recipes:read"]}
        ]
    })
}

fn full() -> Value {
    json!({
        "name": "Full Agent",
        "description": "Every field of A2A v1.0.",
        "supportedInterfaces": [
            {"url": "https://a.example.com/a2a", "protocolBinding": "JSONRPC", "protocolVersion": "1.0", "tenant": "t1"},
            {"url": "http://10.0.0.1:8080/rest", "protocolBinding": "HTTP+JSON", "protocolVersion": "1.0"}
        ],
        "provider": {"url": "https://example.com", "organization": "Example"},
        "version": "2.1.0",
        "documentationUrl": "https://example.com/docs",
        "capabilities": {
            "streaming": true,
            "pushNotifications": false,
            "extendedAgentCard": false,
            "extensions": [
                {"uri": "https://ext.example.com/x", "description": "X", "required": true,
                 "params": {"n": 1, "f": 1.5e1, "nested": {"list": [1, "a", null, true, {"k": []}]}}}
            ]
        },
        "securitySchemes": {
            "key": {"apiKeySecurityScheme": {"location": "header", "name": "X-Key", "description": "d"}},
            "bearer": {"httpAuthSecurityScheme": {"scheme": "Bearer", "bearerFormat": "JWT"}},
            "oauth": {"oauth2SecurityScheme": {"flows": {"authorizationCode": {
                "authorizationUrl": "https://id.example.com/auth", "tokenUrl": "https://id.example.com/token",
                "refreshUrl": "https://id.example.com/refresh", "scopes": {"read": "Read"}, "pkceRequired": true}},
                "oauth2MetadataUrl": "https://id.example.com/.well-known/oauth-authorization-server"}},
            "cc": {"oauth2SecurityScheme": {"flows": {"clientCredentials": {"tokenUrl": "https://t", "scopes": {"a": "b"}}}}},
            "dc": {"oauth2SecurityScheme": {"flows": {"deviceCode": {"deviceAuthorizationUrl": "https://d", "tokenUrl": "https://t", "scopes": {"a": ""}}}}},
            "imp": {"oauth2SecurityScheme": {"flows": {"implicit": {"authorizationUrl": "https://a", "scopes": {}}}}},
            "pw": {"oauth2SecurityScheme": {"flows": {"password": {"tokenUrl": "https://t"}}}},
            "oidc": {"openIdConnectSecurityScheme": {"openIdConnectUrl": "https://id.example.com/.well-known/openid-configuration"}},
            "mtls": {"mtlsSecurityScheme": {"description": "client certificates"}}
        },
        "securityRequirements": [{"schemes": {"oauth": {"list": ["read"]}}}, {"schemes": {"mtls": {}}}],
        "defaultInputModes": ["text/plain"],
        "defaultOutputModes": ["text/plain"],
        "skills": [
            {"id": "a", "name": "A", "description": "Skill A", "tags": ["data:read"],
             "examples": ["do a"], "inputModes": ["image/png"], "outputModes": ["application/json"],
             "securityRequirements": [{"schemes": {"key": {"list": []}}}]},
            {"id": "b", "name": "B", "description": "Skill B", "tags": ["files:*"]}
        ],
        "signatures": [{"protected": "eyJhbGciOiJFZERTQSJ9", "signature": "c2ln", "header": {"kid": "k"}}],
        "iconUrl": "https://example.com/icon.png"
    })
}

fn errors(card: Value) -> Vec<(String, String)> {
    AgentCard::parse(card)
        .unwrap_err()
        .0
        .into_iter()
        .map(|e| (e.field, e.reason))
        .collect()
}

fn pointers(card: Value) -> Vec<String> {
    let mut p: Vec<String> = errors(card).into_iter().map(|(p, _)| p).collect();
    p.sort();
    p
}

#[test]
fn minimal_and_full_cards_are_accepted_as_sent() {
    let card = AgentCard::parse(minimal()).unwrap();
    assert_eq!(card.to_value(), minimal());
    assert_eq!(card.name(), "Recipe Agent");
    assert_eq!(card.description(), "Helps with recipes.");
    assert_eq!(card.skill_ids().collect::<Vec<_>>(), ["find"]);
    assert_eq!(card.tags().collect::<Vec<_>>(), ["search", "recipes:read"]);
    assert!(card.signatures().is_empty());

    let card = AgentCard::parse(full()).unwrap();
    assert_eq!(
        card.input_modes().collect::<Vec<_>>(),
        ["text/plain", "image/png"]
    );
    assert_eq!(
        card.output_modes().collect::<Vec<_>>(),
        ["text/plain", "application/json"]
    );
    assert!(card.has_capability(&Capability::parse("data:read").unwrap()));
    assert!(card.has_capability(&Capability::parse("files:write").unwrap()));
    assert!(!card.has_capability(&Capability::parse("data:write").unwrap()));
    assert_eq!(
        card.signatures(),
        [AgentCardSignature {
            protected: "eyJhbGciOiJFZERTQSJ9".into(),
            signature: "c2ln".into()
        }]
    );
}

#[test]
fn numbers_in_params_take_their_stored_form() {
    let mut card = minimal();
    card["capabilities"] = serde_json::from_str(
        r#"{"extensions": [{"params": {"a": 1.50e1, "b": -0, "c": 1E-3, "d": 12345678901234567890}}]}"#,
    )
    .unwrap();
    let card = AgentCard::parse(card).unwrap();
    let params = &card.as_json()["capabilities"]["extensions"][0]["params"];
    assert_eq!(
        params.to_string(),
        r#"{"a":15.0,"b":0,"c":0.001,"d":12345678901234567890}"#
    );
}

#[test]
fn every_missing_required_field_is_named() {
    assert_eq!(
        pointers(json!({})),
        [
            "/capabilities",
            "/defaultInputModes",
            "/defaultOutputModes",
            "/description",
            "/name",
            "/skills",
            "/supportedInterfaces",
            "/version"
        ]
    );
    let mut card = minimal();
    card["supportedInterfaces"] = json!([{}]);
    card["skills"] = json!([{}]);
    card["provider"] = json!({});
    assert_eq!(
        pointers(card),
        [
            "/provider/organization",
            "/provider/url",
            "/skills/0/description",
            "/skills/0/id",
            "/skills/0/name",
            "/skills/0/tags",
            "/supportedInterfaces/0/protocolBinding",
            "/supportedInterfaces/0/protocolVersion",
            "/supportedInterfaces/0/url",
        ]
    );
}

#[test]
fn required_fields_must_not_be_empty() {
    let mut card = minimal();
    card["name"] = json!("");
    card["supportedInterfaces"] = json!([]);
    card["defaultInputModes"] = json!([]);
    card["skills"][0]["tags"] = json!([]);
    let errs = errors(card);
    assert!(errs.contains(&("/name".into(), "must not be empty".into())));
    assert!(errs.contains(&(
        "/supportedInterfaces".into(),
        "must have at least one element".into()
    )));
    assert!(errs.contains(&(
        "/defaultInputModes".into(),
        "must have at least one element".into()
    )));
    assert!(errs.contains(&(
        "/skills/0/tags".into(),
        "must have at least one element".into()
    )));
    assert_eq!(errs.len(), 4, "{errs:?}");
}

#[test]
fn wrong_types_are_named_by_pointer() {
    let mut card = minimal();
    card["version"] = json!(1);
    card["capabilities"] = json!({"streaming": "yes", "extensions": {}});
    card["skills"][0]["tags"] = json!(["ok", 7, null]);
    card["defaultOutputModes"] = json!("text/plain");
    card["description"] = Value::Null;
    let errs = errors(card);
    let expect = [
        ("/version", "must be a string, not a number"),
        ("/capabilities/streaming", "must be a boolean, not a string"),
        (
            "/capabilities/extensions",
            "must be an array, not an object",
        ),
        ("/skills/0/tags/1", "must be a string, not a number"),
        ("/skills/0/tags/2", "must be a string, not null"),
        ("/defaultOutputModes", "must be an array, not a string"),
        ("/description", "must be a string, not null"),
    ];
    for (p, r) in expect {
        assert!(errs.contains(&(p.into(), r.into())), "{p}: {errs:?}");
    }
    assert_eq!(errs.len(), expect.len(), "{errs:?}");
    assert_eq!(
        errors(json!([minimal()])),
        [(
            String::new(),
            "must be an object (A2A AgentCard), not an array".to_owned()
        )]
    );
}

#[test]
fn fields_outside_v1_are_refused_with_a_hint() {
    let mut card = minimal();
    card["default_input_modes"] = json!(["text/plain"]);
    card["url"] = json!("https://old.example.com");
    card["skills"][0]["input_modes"] = json!(["text/plain"]);
    card["skills"][0]["color"] = json!("red");
    card["supportedInterfaces"][0]["transport"] = json!("JSONRPC");
    let errs = errors(card);
    let reason = |p: &str| {
        errs.iter()
            .find(|(q, _)| q == p)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| panic!("{p} not reported: {errs:?}"))
    };
    assert!(reason("/default_input_modes").contains("`defaultInputModes`"));
    assert!(reason("/url").contains("A2A v0.3 field; v1.0 has `supportedInterfaces`"));
    assert!(reason("/skills/0/input_modes").contains("`inputModes`"));
    assert_eq!(
        reason("/skills/0/color"),
        "is not a field of A2A v1.0 AgentSkill"
    );
    assert_eq!(
        reason("/supportedInterfaces/0/transport"),
        "is not a field of A2A v1.0 AgentInterface"
    );
    assert_eq!(errs.len(), 5, "{errs:?}");
}

mod limits;

#[test]
fn a_stored_card_reads_back_as_written_without_validation() {
    let written = AgentCard::parse(full()).unwrap();
    let read = AgentCard::from_stored(written.to_value()).unwrap();
    assert_eq!(read, written);
    // A card stored before a rule was tightened still reads (validation is the write's job).
    let mut older = minimal();
    older["skills"][0]["id"] = json!("");
    assert!(AgentCard::parse(older.clone()).is_err());
    assert_eq!(
        AgentCard::from_stored(older).unwrap().name(),
        "Recipe Agent"
    );
    assert!(AgentCard::from_stored(json!(["not", "an", "object"])).is_none());
}
