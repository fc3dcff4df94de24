//! The credential authenticator: admin token, service tokens and agent keys, each resolved to
//! its principal and the org it acts in.

use crate::secrets::{SecretHasher, AGENT_KEY_PREFIX, SERVICE_TOKEN_PREFIX};
use crate::Registry;
use async_trait::async_trait;
use registry_domain::{Actor, AgentRef, OrgRef, OrgSlug, Principal};
use registry_ports::{
    AgentWithRole, AuthError, Authenticator, Credential, CredentialStore, ErrorChain,
    OrgRepository, Prefetched, RepoError,
};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// Implements [`Authenticator`] over the credential and org stores: the configured admin token
/// (constant-time comparison; it acts in the org it names, `default` when none), service tokens
/// (`art_…`, in their org) and agent keys (`agk_…`, accepted both as `Bearer` and as
/// `AgentKey`, in their agent's org), the latter two looked up by keyed hash — one read that
/// also yields the org. Nothing is cached, so a revocation takes effect at once.
#[derive(Clone)]
pub struct CredentialAuthenticator {
    credentials: Arc<dyn CredentialStore>,
    orgs: Arc<dyn OrgRepository>,
    /// The keyed hash of the admin token (`None`: no admin token, nothing matches it).
    admin_token_hash: Option<String>,
    hasher: SecretHasher,
}

impl CredentialAuthenticator {
    /// Builds an authenticator from its stores, the admin token and the hashing secret.
    pub fn new(
        credentials: Arc<dyn CredentialStore>,
        orgs: Arc<dyn OrgRepository>,
        admin_token: String,
        key_hash_secret: Vec<u8>,
    ) -> Self {
        let hasher = SecretHasher::new(&key_hash_secret);
        Self {
            credentials,
            orgs,
            admin_token_hash: (!admin_token.is_empty()).then(|| hasher.hash(&admin_token)),
            hasher,
        }
    }

    /// Builds an authenticator sharing the registry's stores and configuration.
    pub fn from_registry(registry: &Registry) -> Self {
        Self::new(
            registry.credentials.clone(),
            registry.orgs.clone(),
            registry.config.admin_token.clone(),
            registry.config.key_hash_secret.clone(),
        )
    }
}

#[async_trait]
impl Authenticator for CredentialAuthenticator {
    async fn authenticate(
        &self,
        credential: &Credential,
        requested_org: Option<OrgSlug>,
    ) -> Result<Actor, AuthError> {
        let hash = self.hasher.hash(credential.secret());
        self.authenticate_hashed(credential, &hash, requested_org)
            .await
    }

    /// A service token is read together with the agent `at` (one round trip); every other
    /// credential as [`Authenticator::authenticate`] does.
    async fn authenticate_reading(
        &self,
        credential: &Credential,
        requested_org: Option<OrgSlug>,
        at: &AgentRef,
    ) -> Result<(Actor, Option<Prefetched>), AuthError> {
        let hash = self.hasher.hash(credential.secret());
        match credential {
            Credential::Bearer(secret)
                if secret.starts_with(SERVICE_TOKEN_PREFIX) && !self.is_admin_hash(&hash) =>
            {
                match self.credentials.find_token_with_agent(&hash, at).await {
                    Ok(Some(read)) => {
                        let actor = Actor {
                            principal: read.token.principal,
                            org: read.org,
                        };
                        let prefetched = Prefetched {
                            at: at.clone(),
                            found: read.agent,
                        };
                        Ok((actor, Some(prefetched)))
                    }
                    Ok(None) => Err(AuthError::Invalid),
                    Err(e) => Err(auth_error(e)),
                }
            }
            Credential::Bearer(secret) | Credential::AgentKey(secret)
                if secret.starts_with(AGENT_KEY_PREFIX) =>
            {
                match self.credentials.find_key_with_agent(&hash).await {
                    Ok(Some(read)) => {
                        let actor = Actor {
                            principal: Principal::Agent(read.key.agent_id),
                            org: read.org,
                        };
                        // Only a request about the key's own agent can use it.
                        let prefetched = (*at == AgentRef::Id(read.agent.id)).then(|| Prefetched {
                            at: at.clone(),
                            found: Some(AgentWithRole {
                                agent: read.agent,
                                role: None,
                            }),
                        });
                        Ok((actor, prefetched))
                    }
                    Ok(None) => Err(AuthError::Invalid),
                    Err(e) => Err(auth_error(e)),
                }
            }
            // The platform admin in a named org: the org and the agent in one read.
            Credential::Bearer(_) if self.is_admin_hash(&hash) => match requested_org {
                Some(slug) if slug != OrgSlug::default_org() => {
                    match self.orgs.org_with_agent(&slug, at).await {
                        Ok(Some((org, agent))) => {
                            let actor = Actor {
                                principal: Principal::Admin,
                                org,
                            };
                            let prefetched = Prefetched {
                                at: at.clone(),
                                found: agent.map(|agent| AgentWithRole { agent, role: None }),
                            };
                            Ok((actor, Some(prefetched)))
                        }
                        Ok(None) => Err(AuthError::UnknownOrg),
                        Err(e) => Err(auth_error(e)),
                    }
                }
                _ => Ok((self.platform_admin(requested_org).await?, None)),
            },
            _ => Ok((
                self.authenticate_hashed(credential, &hash, requested_org)
                    .await?,
                None,
            )),
        }
    }
}

impl CredentialAuthenticator {
    /// Whether `hash` (the presented secret's keyed hash) is the admin token's: a constant-time
    /// comparison of the two hashes, so it does not even depend on the lengths; an empty admin
    /// token matches nothing.
    fn is_admin_hash(&self, hash: &str) -> bool {
        self.admin_token_hash
            .as_ref()
            .is_some_and(|expected| hash.as_bytes().ct_eq(expected.as_bytes()).into())
    }

    /// [`Authenticator::authenticate`] with the credential's keyed hash already computed.
    async fn authenticate_hashed(
        &self,
        credential: &Credential,
        hash: &str,
        requested_org: Option<OrgSlug>,
    ) -> Result<Actor, AuthError> {
        match credential {
            Credential::Bearer(_) if self.is_admin_hash(hash) => {
                self.platform_admin(requested_org).await
            }
            Credential::Bearer(secret) if secret.starts_with(SERVICE_TOKEN_PREFIX) => {
                self.service_token(hash).await
            }
            Credential::Bearer(secret) | Credential::AgentKey(secret)
                if secret.starts_with(AGENT_KEY_PREFIX) =>
            {
                self.agent_key(hash).await
            }
            Credential::Bearer(_) | Credential::AgentKey(_) => Err(AuthError::Invalid),
        }
    }

    /// The platform admin in the org it names: `default` without a read, any other by slug.
    async fn platform_admin(&self, requested_org: Option<OrgSlug>) -> Result<Actor, AuthError> {
        let org = match requested_org {
            None => OrgRef::default_org(),
            Some(slug) if slug == OrgSlug::default_org() => OrgRef::default_org(),
            Some(slug) => match self.orgs.org_by_slug(&slug).await {
                Ok(Some(org)) => OrgRef {
                    id: org.id,
                    slug: org.slug,
                },
                Ok(None) => return Err(AuthError::UnknownOrg),
                Err(e) => return Err(auth_error(e)),
            },
        };
        Ok(Actor {
            principal: Principal::Admin,
            org,
        })
    }

    /// The service token whose keyed hash is `hash`, in its org.
    async fn service_token(&self, hash: &str) -> Result<Actor, AuthError> {
        match self.credentials.find_token(hash).await {
            Ok(Some((token, org))) => Ok(Actor {
                principal: token.principal,
                org,
            }),
            Ok(None) => Err(AuthError::Invalid),
            Err(e) => Err(auth_error(e)),
        }
    }

    /// The agent key whose keyed hash is `hash`, in its agent's org.
    async fn agent_key(&self, hash: &str) -> Result<Actor, AuthError> {
        match self.credentials.find_key(hash).await {
            Ok(Some((key, org))) => Ok(Actor {
                principal: Principal::Agent(key.agent_id),
                org,
            }),
            Ok(None) => Err(AuthError::Invalid),
            Err(e) => Err(auth_error(e)),
        }
    }
}

/// A store failure during authentication: 503 when unreachable, 500 otherwise.
fn auth_error(error: RepoError) -> AuthError {
    match error {
        RepoError::Unavailable(cause) => AuthError::Unavailable(ErrorChain(&cause).to_string()),
        other => AuthError::Unexpected(ErrorChain(&other).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::hash_secret;
    use registry_domain::{AgentId, ApiKey, ApiKeyId, ApiKeyType, Org, OrgId, ServiceToken};
    use registry_ports::{MockCredentialStore, MockOrgRepository};

    const SERVER_KEY: &[u8] = b"server-key";

    fn authenticator(
        credentials: MockCredentialStore,
        orgs: MockOrgRepository,
    ) -> CredentialAuthenticator {
        CredentialAuthenticator::new(
            Arc::new(credentials),
            Arc::new(orgs),
            "admin-secret".to_owned(),
            SERVER_KEY.to_vec(),
        )
    }

    fn team_a() -> OrgRef {
        OrgRef {
            id: OrgId::new_random(),
            slug: OrgSlug::parse("team-a", "org").unwrap(),
        }
    }

    fn admin_in(org: OrgRef) -> Result<Actor, AuthError> {
        Ok(Actor {
            principal: Principal::Admin,
            org,
        })
    }

    #[tokio::test]
    async fn the_admin_token_is_the_platform_admin_in_the_org_it_names() {
        let a = team_a();
        let stored = a.clone();
        let mut orgs = MockOrgRepository::new();
        orgs.expect_org_by_slug().returning(move |slug| {
            Ok((slug == &stored.slug).then(|| Org {
                id: stored.id,
                slug: stored.slug.clone(),
                display_name: "A".into(),
                max_agents: None,
                created_at: time::OffsetDateTime::UNIX_EPOCH,
                updated_at: time::OffsetDateTime::UNIX_EPOCH,
            }))
        });
        let auth = authenticator(MockCredentialStore::new(), orgs);
        let admin = Credential::Bearer("admin-secret".into());
        let default = auth.authenticate(&admin, None).await;
        assert_eq!(default, admin_in(OrgRef::default_org()));
        let named = auth.authenticate(&admin, Some(a.slug.clone())).await;
        assert_eq!(named, admin_in(a));
        let unknown = OrgSlug::parse("nope", "org").unwrap();
        let unknown = auth.authenticate(&admin, Some(unknown)).await;
        assert_eq!(unknown, Err(AuthError::UnknownOrg));
        let near = auth
            .authenticate(&Credential::Bearer("admin-secreT".into()), None)
            .await;
        assert_eq!(near, Err(AuthError::Invalid));
        let as_agent_key = auth
            .authenticate(&Credential::AgentKey("admin-secret".into()), None)
            .await;
        assert_eq!(as_agent_key, Err(AuthError::Invalid));
    }

    #[tokio::test]
    async fn the_admin_reading_one_agent_in_a_named_org_reads_org_and_agent_at_once() {
        let a = team_a();
        let (stored, at) = (a.clone(), AgentRef::Id(AgentId::new_random()));
        let mut orgs = MockOrgRepository::new();
        orgs.expect_org_with_agent()
            .times(2)
            .returning(move |slug, _| Ok((slug == &stored.slug).then(|| (stored.clone(), None))));
        orgs.expect_org_by_slug().never();
        let auth = authenticator(MockCredentialStore::new(), orgs);
        let admin = Credential::Bearer("admin-secret".into());
        let (actor, prefetched) = auth
            .authenticate_reading(&admin, Some(a.slug.clone()), &at)
            .await
            .unwrap();
        assert_eq!(Ok(actor), admin_in(a));
        let prefetched = prefetched.expect("the read rides along");
        assert_eq!((prefetched.at, prefetched.found), (at.clone(), None));
        let unknown = OrgSlug::parse("nope", "org").unwrap();
        let refused = auth.authenticate_reading(&admin, Some(unknown), &at).await;
        assert_eq!(refused.map(|r| r.0), Err(AuthError::UnknownOrg));
        // In `default` there is nothing to read first: no prefetch, no org read.
        let (actor, prefetched) = auth.authenticate_reading(&admin, None, &at).await.unwrap();
        assert_eq!(Ok(actor), admin_in(OrgRef::default_org()));
        assert!(prefetched.is_none());
    }

    #[tokio::test]
    async fn an_agent_key_works_as_bearer_and_as_agent_key_in_its_agents_org() {
        let agent_id = AgentId::new_random();
        let org = team_a();
        let secret = "agk_0123";
        let expected_hash = hash_secret(SERVER_KEY, secret);
        let mut credentials = MockCredentialStore::new();
        let key_org = org.clone();
        credentials.expect_find_key().returning(move |hash| {
            let key = ApiKey {
                id: ApiKeyId::new_random(),
                agent_id,
                name: "k".into(),
                api_key_type: ApiKeyType::Internal,
                created_at: time::OffsetDateTime::UNIX_EPOCH,
                created_by: Principal::Admin,
            };
            Ok((hash == expected_hash).then(|| (key, key_org.clone())))
        });
        let auth = authenticator(credentials, MockOrgRepository::new());
        for credential in [
            Credential::Bearer(secret.into()),
            Credential::AgentKey(secret.into()),
        ] {
            let expected = Actor {
                principal: Principal::Agent(agent_id),
                org: org.clone(),
            };
            // The org header is the platform admin's: a key acts in its own org whatever it says.
            let header = Some(OrgSlug::default_org());
            assert_eq!(auth.authenticate(&credential, header).await, Ok(expected));
        }
        let unknown = auth
            .authenticate(&Credential::Bearer("agk_9999".into()), None)
            .await;
        assert_eq!(unknown, Err(AuthError::Invalid));
        let unprefixed = auth
            .authenticate(&Credential::Bearer("whatever".into()), None)
            .await;
        assert_eq!(unprefixed, Err(AuthError::Invalid));
    }

    #[tokio::test]
    async fn a_store_outage_is_unavailable_not_invalid() {
        let mut credentials = MockCredentialStore::new();
        credentials
            .expect_find_key()
            .returning(|_| Err(RepoError::Unavailable("pool timeout".into())));
        let auth = authenticator(credentials, MockOrgRepository::new());
        let result = auth
            .authenticate(&Credential::AgentKey("agk_1".into()), None)
            .await;
        assert_eq!(result, Err(AuthError::Unavailable("pool timeout".into())));
    }

    #[tokio::test]
    async fn service_tokens_authenticate_as_their_principal_in_their_org() {
        let org = team_a();
        let token_org = org.clone();
        let mut credentials = MockCredentialStore::new();
        credentials.expect_find_token().returning(move |_| {
            let token = ServiceToken {
                id: registry_domain::ServiceTokenId::new_random(),
                name: "ops".into(),
                principal: Principal::OrgAdmin("ops".into()),
                created_at: time::OffsetDateTime::UNIX_EPOCH,
            };
            Ok(Some((token, token_org.clone())))
        });
        let auth = authenticator(credentials, MockOrgRepository::new());
        let result = auth
            .authenticate(&Credential::Bearer("art_abc".into()), None)
            .await;
        let expected = Actor {
            principal: Principal::OrgAdmin("ops".into()),
            org,
        };
        assert_eq!(result, Ok(expected));
    }
}
