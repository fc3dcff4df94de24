//! Card validation: URLs, uniqueness, oneofs, storable text and numbers, bounds, canonical form.

use super::*;

#[test]
fn interface_urls_are_absolute_http_urls() {
    for bad in [
        "grpc.example.com:443",
        "/a2a",
        "ftp://example.com",
        "https://",
    ] {
        let mut card = minimal();
        card["supportedInterfaces"][0]["url"] = json!(bad);
        assert_eq!(pointers(card), ["/supportedInterfaces/0/url"], "{bad}");
    }
    let mut card = minimal();
    card["supportedInterfaces"][0]["url"] = json!("http://agent:8000/a2a");
    AgentCard::parse(card).unwrap();
}

#[test]
fn skill_ids_are_unique() {
    let mut card = minimal();
    let skill = card["skills"][0].clone();
    card["skills"] = json!([skill.clone(), {"id": "other", "name": "O", "description": "o", "tags": ["x"]}, skill]);
    assert_eq!(
        errors(card),
        [(
            "/skills/2/id".to_owned(),
            "duplicates /skills/0/id: skill ids must be unique".to_owned()
        )]
    );
}

#[test]
fn oneofs_set_exactly_one_member() {
    let mut card = minimal();
    card["securitySchemes"] = json!({
        "none": {},
        "two": {"mtlsSecurityScheme": {}, "httpAuthSecurityScheme": {"scheme": "Basic"}},
        "flows": {"oauth2SecurityScheme": {"flows": {}}}
    });
    let mut errs = errors(card);
    errs.sort();
    assert_eq!(
        errs.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        [
            "/securitySchemes/flows/oauth2SecurityScheme/flows",
            "/securitySchemes/none",
            "/securitySchemes/two",
        ],
        "{errs:?}"
    );
    assert!(errs[0].1.contains("none is set"));
    assert!(errs[1].1.contains("none is set"));
    assert!(errs[2]
        .1
        .contains("httpAuthSecurityScheme, mtlsSecurityScheme are set"));
}

#[test]
fn required_maps_need_an_entry_and_keys_are_escaped() {
    let mut card = minimal();
    card["securitySchemes"] = json!({
        "a/b~c": {"oauth2SecurityScheme": {"flows": {"clientCredentials": {"tokenUrl": "https://t", "scopes": {}}}}}
    });
    assert_eq!(
        errors(card),
        [(
            "/securitySchemes/a~1b~0c/oauth2SecurityScheme/flows/clientCredentials/scopes"
                .to_owned(),
            "must have at least one entry".to_owned()
        )]
    );
}

#[test]
fn text_postgresql_cannot_store_is_refused() {
    let mut card = minimal();
    card["name"] = json!("a\u{0}b");
    card["capabilities"] = json!({"extensions": [{"params": {"k\u{0}": 1, "v": ["x\u{0}"]}}]});
    assert_eq!(
        pointers(card),
        [
            "/capabilities/extensions/0/params/k\\u0000",
            "/capabilities/extensions/0/params/v/0",
            "/name"
        ]
    );
}

#[test]
fn numbers_that_cannot_be_stored_exactly_are_refused() {
    let mut card = minimal();
    let huge: serde_json::Value = serde_json::from_str("1e400").unwrap();
    card["capabilities"] = json!({"extensions": [{"params": {"huge": huge}}]});
    assert_eq!(pointers(card), ["/capabilities/extensions/0/params/huge"]);
}

#[test]
fn size_and_depth_are_bounded() {
    let mut card = minimal();
    card["description"] = json!("x".repeat(MAX_CARD_BYTES));
    let errs = errors(card);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].0, "");
    assert!(errs[0].1.contains("at most 65536 bytes"), "{}", errs[0].1);

    // The card is level 1, capabilities 2, extensions 3, the extension 4, params 5.
    let nest = |levels: usize| {
        let mut v = json!(1);
        for _ in 0..levels {
            v = json!({ "k": v });
        }
        let mut card = minimal();
        card["capabilities"] = json!({"extensions": [{"params": v}]});
        card
    };
    AgentCard::parse(nest(MAX_CARD_DEPTH - 4)).unwrap();
    let errs = errors(nest(MAX_CARD_DEPTH - 3));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].1.contains("nests deeper than 32"));
}

#[test]
fn every_bad_field_is_reported_up_to_the_cap() {
    let mut card = minimal();
    card["skills"][0]["tags"] = Value::Array((0..500).map(|i| json!(i)).collect());
    let errs = errors(card);
    assert_eq!(errs.len(), MAX_CARD_ERRORS);
    assert_eq!(errs[99].0, "/skills/0/tags/99");
}

#[test]
fn the_error_lists_every_field() {
    let err = AgentCard::parse(json!({"name": 1})).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("invalid agent card: /name: must be a string"),
        "{text}"
    );
    assert!(text.contains("; /version: is required"), "{text}");
}

#[test]
fn a_signature_is_appended_and_leaves_the_canonical_bytes_alone() {
    let card = AgentCard::parse(minimal()).unwrap();
    let sig = AgentCardSignature {
        protected: "p".into(),
        signature: "s".into(),
    };
    let signed = card.with_signature(sig.clone());
    assert_eq!(signed.signatures(), std::slice::from_ref(&sig));
    assert_eq!(signed.canonical_bytes(), card.canonical_bytes());
    let twice = signed.with_signature(sig.clone());
    assert_eq!(twice.signatures(), [sig.clone(), sig]);
    // Still a valid card.
    AgentCard::parse(twice.into_value()).unwrap();
}

#[test]
fn canonical_form_drops_defaults_and_empties() {
    let card = AgentCard::parse(json!({
        "name": "n",
        "description": "d",
        "supportedInterfaces": [{"url": "https://x", "protocolBinding": "JSONRPC", "protocolVersion": "1.0", "tenant": ""}],
        "version": "1",
        "capabilities": {"streaming": false, "extensions": [{"uri": "u", "required": false, "params": {"a": null, "b": [], "c": {}, "d": "", "e": false, "f": 0}}]},
        "defaultInputModes": ["text/plain", ""],
        "defaultOutputModes": ["text/plain"],
        "skills": [{"id": "s", "name": "S", "description": "D", "tags": ["t"], "examples": []}],
        "signatures": [{"protected": "p", "signature": "s"}]
    }))
    .unwrap();
    assert_eq!(
        String::from_utf8(card.canonical_bytes()).unwrap(),
        r#"{"capabilities":{"extensions":[{"params":{"e":false,"f":0},"uri":"u"}],"streaming":false},"defaultInputModes":["text/plain"],"defaultOutputModes":["text/plain"],"description":"d","name":"n","skills":[{"description":"D","id":"s","name":"S","tags":["t"]}],"supportedInterfaces":[{"protocolBinding":"JSONRPC","protocolVersion":"1.0","url":"https://x"}],"version":"1"}"#
    );
}
