//! Name resolution under the safe-target rule: every address a webhook host resolves to must be
//! admitted by the [`TargetRules`], or the host is refused. The same check serves the API (at
//! create and update, through the [`HostResolver`] port) and the HTTP client (at delivery: the
//! client connects only to the addresses this resolver returned, so the address actually
//! connected to is one that was checked — a name re-pointed between create and delivery is
//! caught here, and there is no second lookup to race).

use async_trait::async_trait;
use registry_domain::TargetRules;
use registry_ports::HostResolver;
use std::net::{IpAddr, SocketAddr};

/// The system resolver (getaddrinfo through tokio).
#[derive(Debug, Clone, Copy, Default)]
pub struct DnsResolver;

#[async_trait]
impl HostResolver for DnsResolver {
    async fn resolve(&self, host: &str, port: u16) -> Result<Vec<IpAddr>, String> {
        let found = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| e.to_string())?;
        let addresses: Vec<IpAddr> = found.map(|a| a.ip()).collect();
        if addresses.is_empty() {
            return Err("no address".to_owned());
        }
        Ok(addresses)
    }
}

/// Why a host was refused at delivery.
#[derive(Debug, thiserror::Error)]
#[error("refused target: {host} resolves to {address} (loopback, private, link-local and unspecified targets are refused)")]
pub struct RefusedAddress {
    host: String,
    address: IpAddr,
}

/// The HTTP client's resolver: the system's, then the rules (all addresses, or refused).
#[derive(Debug, Clone, Copy)]
pub(crate) struct VettingResolver {
    pub(crate) rules: TargetRules,
}

impl reqwest::dns::Resolve for VettingResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let rules = self.rules;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(refused) = found.iter().find(|a| !rules.admits(a.ip())) {
                return Err(Box::new(RefusedAddress {
                    host,
                    address: refused.ip(),
                })
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}
