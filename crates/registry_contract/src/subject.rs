//! [`Subject`]: the store under test as the behaviours reach it — one set of ports per org —
//! and the org fixtures the tenancy behaviours share.

use crate::fixtures::now;
use registry_domain::{Org, OrgId, OrgRef, OrgSlug};
use registry_ports::{Ports, Tenancy};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The adapter under test: hands out the ports of any org (its [`Tenancy`]). A fresh subject
/// holds only the `default` org.
#[derive(Clone)]
pub struct Subject {
    tenancy: Arc<dyn Tenancy>,
}

impl Subject {
    /// The subject served by `tenancy`.
    pub fn new(tenancy: Arc<dyn Tenancy>) -> Self {
        Self { tenancy }
    }

    /// The ports bound to `org`.
    pub fn ports(&self, org: OrgId) -> Ports {
        self.tenancy.ports(org)
    }

    /// The ports bound to the `default` org (where the behaviours written before orgs run).
    pub fn default_ports(&self) -> Ports {
        self.ports(OrgId::DEFAULT)
    }

    /// Creates an org with a unique slug starting with `prefix` and the quota `max_agents`, and
    /// returns it as stored with the ports bound to it.
    pub async fn new_org(&self, prefix: &str, max_agents: Option<u32>) -> (Org, Ports) {
        let org = org_named(&unique_slug(prefix), max_agents);
        let stored = self
            .default_ports()
            .orgs
            .create_org(&org)
            .await
            .expect("create org");
        assert_eq!(stored, org, "create_org returns the org as given");
        let ports = self.ports(stored.id);
        (stored, ports)
    }
}

/// An unsaved org with this slug and quota, created now.
pub fn org_named(slug: &str, max_agents: Option<u32>) -> Org {
    let at = now();
    Org {
        id: OrgId::new_random(),
        slug: OrgSlug::parse(slug, "slug").expect("valid slug"),
        display_name: format!("Org {slug}"),
        max_agents,
        created_at: at,
        updated_at: at,
    }
}

/// A slug no other test uses: `<prefix>-<counter>-<random>`.
pub fn unique_slug(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let random = OrgId::new_random().as_uuid().simple().to_string();
    format!("{prefix}-{n}-{}", &random[..8])
}

/// The reference to `org`, as credential lookups return it.
pub fn org_ref(org: &Org) -> OrgRef {
    OrgRef {
        id: org.id,
        slug: org.slug.clone(),
    }
}
