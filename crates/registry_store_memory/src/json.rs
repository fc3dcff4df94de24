//! JSON containment with PostgreSQL's `@>` semantics, for the card-metadata filter.

use serde_json::Value;

/// Whether `target` contains `query`: objects contain every key of the query with a contained
/// value, arrays contain every query element in some element, scalars are equal.
pub(crate) fn contains(target: &Value, query: &Value) -> bool {
    match (target, query) {
        (Value::Object(t), Value::Object(q)) => q
            .iter()
            .all(|(k, qv)| t.get(k).is_some_and(|tv| contains(tv, qv))),
        (Value::Array(t), Value::Array(q)) => {
            q.iter().all(|qv| t.iter().any(|tv| contains(tv, qv)))
        }
        (t, q) => t == q,
    }
}

#[cfg(test)]
mod tests {
    use super::contains;
    use serde_json::json;

    #[test]
    fn containment_follows_postgres() {
        let doc = json!({"a": 1, "b": {"c": [1, 2, {"d": "x"}]}, "e": "s"});
        assert!(contains(&doc, &json!({})));
        assert!(contains(&doc, &json!({"a": 1})));
        assert!(contains(&doc, &json!({"b": {"c": [2]}})));
        assert!(contains(&doc, &json!({"b": {"c": [{"d": "x"}]}})));
        assert!(!contains(&doc, &json!({"a": 2})));
        assert!(!contains(&doc, &json!({"z": null})));
        assert!(!contains(&doc, &json!({"b": {"c": [3]}})));
        assert!(!contains(&doc, &json!({"e": ["s"]})));
        assert!(!contains(&doc, &json!({"b": {"c": 1}})));
    }
}
