//! Where an agent or a deployment serves (`acp_url`): an absolute `http` or `https` URL.

use crate::values::{bounded_text, MAX_URL_LEN};
use crate::ValidationError;

/// Validates `value` as an ACP URL, naming `field`: at most [`MAX_URL_LEN`] characters, an
/// absolute URL with the scheme `http` or `https` and a host. Returned as given (the registry
/// stores what the agent said; it never calls it).
pub fn parse_acp_url(value: &str, field: &str) -> Result<String, ValidationError> {
    bounded_text(value, field, MAX_URL_LEN)?;
    let url = url::Url::parse(value).map_err(|e| {
        ValidationError::new(field, format!("must be an absolute http(s) URL ({e})"))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ValidationError::new(
            field,
            "must be an absolute http(s) URL (scheme http or https)",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ValidationError::new(
            field,
            "must be an absolute http(s) URL (with a host)",
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_http_urls_are_kept_as_given() {
        for ok in [
            "http://agent:8000",
            "https://agents.example.com/acp?x=1",
            "http://10.0.0.7:8000/",
            "http://[::1]:9000",
        ] {
            assert_eq!(parse_acp_url(ok, "acp_url").unwrap(), ok);
        }
    }

    #[test]
    fn anything_else_is_refused_naming_the_field() {
        for bad in [
            "",
            "agent:8000",
            "/relative/path",
            "ftp://agent",
            "javascript:alert(1)",
            "http://",
            "file:///etc/passwd",
            "http://a\u{0}b",
        ] {
            assert_eq!(
                parse_acp_url(bad, "acp_url").unwrap_err().field,
                "acp_url",
                "{bad:?}"
            );
        }
        let long = format!("http://a/{}", "x".repeat(MAX_URL_LEN));
        assert!(parse_acp_url(&long, "acp_url").is_err());
    }
}
