//! Safe webhook targets (contract §10): `https` (or `http` when allowed), and no host that is —
//! or resolves to — a loopback, private, link-local or unspecified address unless allowed. The
//! names are resolved by the delivery adapter; this module holds the rules.

use crate::ValidationError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What the deployment allows beyond the safe default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TargetRules {
    /// `WEBHOOK_ALLOW_HTTP`: plain `http` targets.
    pub allow_http: bool,
    /// `WEBHOOK_ALLOW_PRIVATE_TARGETS`: loopback, private and link-local targets.
    pub allow_private: bool,
}

impl TargetRules {
    /// Whether a connection to `ip` is allowed.
    pub fn admits(&self, ip: IpAddr) -> bool {
        self.allow_private || !forbidden_address(ip)
    }
}

/// A syntactically acceptable target: absolute, allowed scheme, a host, and not an address (or
/// `localhost` name) the rules refuse. Names are checked again once resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(url::Url);

impl WebhookUrl {
    /// Validates `value` under `rules`, naming `field` in the error.
    pub fn parse(value: &str, field: &str, rules: TargetRules) -> Result<Self, ValidationError> {
        let url = url::Url::parse(value)
            .map_err(|e| ValidationError::new(field, format!("must be an absolute URL ({e})")))?;
        match url.scheme() {
            "https" => {}
            "http" if rules.allow_http => {}
            "http" => {
                return Err(ValidationError::new(
                    field,
                    "must be an https URL (http targets are not allowed here)",
                ))
            }
            _ => return Err(ValidationError::new(field, "must be an https URL")),
        }
        if value.len() > 2048 {
            return Err(ValidationError::new(
                field,
                "must be at most 2048 characters",
            ));
        }
        let refused = |what: &str| {
            ValidationError::new(
                field,
                format!("must not target a {what} address (loopback, private, link-local and unspecified targets are refused)"),
            )
        };
        match url.host() {
            None => return Err(ValidationError::new(field, "must name a host")),
            Some(url::Host::Ipv4(ip)) if !rules.admits(IpAddr::V4(ip)) => {
                return Err(refused("forbidden"))
            }
            Some(url::Host::Ipv6(ip)) if !rules.admits(IpAddr::V6(ip)) => {
                return Err(refused("forbidden"))
            }
            Some(url::Host::Domain(name)) if !rules.allow_private && is_localhost(name) => {
                return Err(refused("loopback"))
            }
            Some(_) => {}
        }
        Ok(Self(url))
    }

    /// The URL.
    pub fn as_url(&self) -> &url::Url {
        &self.0
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The host as a name to resolve, `None` for an IP literal.
    pub fn domain(&self) -> Option<&str> {
        self.0.domain()
    }

    /// The port (the scheme's default when absent).
    pub fn port(&self) -> u16 {
        self.0.port_or_known_default().unwrap_or(443)
    }
}

fn is_localhost(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// Whether `ip` is loopback, private (RFC 1918, unique-local, CGNAT shared space), link-local,
/// unspecified, broadcast or multicast — somewhere a webhook must not reach by default. IPv4
/// addresses inside IPv6 (mapped or compatible) are judged as IPv4.
pub fn forbidden_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            forbidden_v6(v6)
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
}

fn forbidden_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || ip.segments()[..6] == [0, 0, 0, 0, 0, 0]
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: TargetRules = TargetRules {
        allow_http: false,
        allow_private: false,
    };

    #[test]
    fn public_https_targets_are_accepted() {
        for ok in [
            "https://hooks.example.com/in",
            "https://93.184.216.34:8443/x",
            "https://[2606:4700::1111]/",
        ] {
            assert_eq!(WebhookUrl::parse(ok, "url", STRICT).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn http_needs_the_flag() {
        let e = WebhookUrl::parse("http://hooks.example.com/", "url", STRICT).unwrap_err();
        assert_eq!(e.field, "url");
        let rules = TargetRules {
            allow_http: true,
            ..STRICT
        };
        assert!(WebhookUrl::parse("http://hooks.example.com/", "url", rules).is_ok());
        assert!(WebhookUrl::parse("ftp://hooks.example.com/", "url", rules).is_err());
        assert!(WebhookUrl::parse("hooks.example.com", "url", rules).is_err());
    }

    #[test]
    fn forbidden_literals_and_localhost_are_refused_unless_allowed() {
        for bad in [
            "https://127.0.0.1/",
            "https://10.1.2.3/",
            "https://172.16.0.1/",
            "https://192.168.1.1/",
            "https://169.254.169.254/latest",
            "https://0.0.0.0/",
            "https://[::1]/",
            "https://[fe80::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://localhost/",
            "https://api.LOCALHOST./",
            "https://2130706433/",
        ] {
            let e = WebhookUrl::parse(bad, "url", STRICT).unwrap_err();
            assert_eq!(e.field, "url", "{bad}");
            let open = TargetRules {
                allow_private: true,
                ..STRICT
            };
            assert!(WebhookUrl::parse(bad, "url", open).is_ok(), "{bad}");
        }
    }

    #[test]
    fn addresses_are_classified() {
        for ip in ["8.8.8.8", "2001:4860:4860::8888", "100.128.0.1"] {
            assert!(!forbidden_address(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "127.0.0.2",
            "100.64.0.1",
            "::",
            "fe80::2",
            "::ffff:10.0.0.1",
        ] {
            assert!(forbidden_address(ip.parse().unwrap()), "{ip}");
        }
    }
}
