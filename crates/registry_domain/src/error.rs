//! The one validation error type: which field, and why.

/// A value failed validation. `field` is the wire name of the offending field (dotted for nested
/// fields) so the HTTP layer can report it in `errors: [{field, reason}]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ValidationError {
    /// Wire name of the field, e.g. `name` or `registration_metadata.deployment_id`.
    pub field: String,
    /// Human-readable reason, e.g. `must match ^[a-z0-9-]+$`.
    pub reason: String,
}

impl ValidationError {
    /// Builds an error for `field` with `reason`.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
