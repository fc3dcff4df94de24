//! Contract §6 in one place: what a caller is to one agent ([`Standing`]), what a use case
//! needs ([`Need`]), and the answer — allowed, or the one denial §6 prescribes ([`Denial`]).

use crate::{Action, AgentId, Principal, Role};

/// What a use case needs on one agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// See it.
    Read,
    /// Change it (PATCH, PUT, its keys); an agent's own key never has this.
    Update,
    /// Register or heartbeat it: `Update`, or being the agent itself.
    SelfService,
    /// Give it another name: owners, the admin and the agent itself (not editors).
    Rename,
    /// Delete it or its deployments.
    Delete,
    /// Create and promote its deployments.
    Execute,
    /// Share it (grants): owners and the admin.
    Share,
    /// Read its audit trail: owners and the admin, also after it was deleted.
    AuditTrail,
}

/// What a caller is to one agent, decided by its identity or by the role it holds there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The admin, or any caller when authorization is off: allowed everything.
    Unrestricted,
    /// The agent itself (its own key): may read, register, heartbeat and rename itself.
    Itself,
    /// Another agent's key: nothing.
    OtherAgent,
    /// A user or service: what its role there allows (`None`: no grant, nothing).
    Grantee(Option<Role>),
}

/// Why a need is refused (§6): `Hidden` when the caller may not even read the agent (answered
/// exactly like a missing agent), `Forbidden` when it may read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// Indistinguishable from absent: 404.
    Hidden,
    /// Readable, but not this: 403.
    Forbidden,
}

impl Standing {
    /// The standing of `caller` on agent `agent`, given the role it holds there (read by the
    /// caller of this function only when grants decide: see [`Standing::decided_by_grants`]).
    pub fn of(
        caller: &Principal,
        agent: AgentId,
        role: Option<Role>,
        authorization_enabled: bool,
    ) -> Self {
        match caller {
            _ if !authorization_enabled => Standing::Unrestricted,
            Principal::Admin | Principal::OrgAdmin(_) => Standing::Unrestricted,
            Principal::Agent(me) if *me == agent => Standing::Itself,
            Principal::Agent(_) => Standing::OtherAgent,
            Principal::User(_) | Principal::Service(_) => Standing::Grantee(role),
        }
    }

    /// Whether `caller`'s standing depends on its grants (so its role must be read with the
    /// agent), rather than on its identity alone.
    pub fn decided_by_grants(caller: &Principal, authorization_enabled: bool) -> bool {
        authorization_enabled && matches!(caller, Principal::User(_) | Principal::Service(_))
    }

    /// Whether this standing allows `need` (on a live agent).
    pub fn allows(self, need: Need) -> bool {
        match self {
            Standing::Unrestricted => true,
            Standing::Itself => matches!(need, Need::Read | Need::SelfService | Need::Rename),
            Standing::OtherAgent => false,
            Standing::Grantee(None) => false,
            Standing::Grantee(Some(role)) => match need {
                Need::Read => role.allows(Action::Read),
                Need::Update | Need::SelfService => role.allows(Action::Update),
                Need::Delete => role.allows(Action::Delete),
                Need::Execute => role.allows(Action::Execute),
                Need::Rename | Need::Share | Need::AuditTrail => role == Role::Owner,
            },
        }
    }

    /// `Ok` if allowed on an agent that is `live` (not Deleted); otherwise the §6 denial. A
    /// Deleted agent is hidden from everything but its audit trail.
    pub fn require(self, need: Need, live: bool) -> Result<(), Denial> {
        if !live && need != Need::AuditTrail {
            return Err(Denial::Hidden);
        }
        if self.allows(need) {
            Ok(())
        } else if live && self.allows(Need::Read) {
            Err(Denial::Forbidden)
        } else {
            Err(Denial::Hidden)
        }
    }
}

/// Whether `caller` may create agents (`create` on `agent:*`): not an agent key, and
/// `creators_allowed` (configuration: every authenticated principal, or the admin only).
pub fn may_create(caller: &Principal, creators_allowed: bool) -> bool {
    match caller {
        Principal::Admin | Principal::OrgAdmin(_) => true,
        Principal::Agent(_) => false,
        Principal::User(_) | Principal::Service(_) => creators_allowed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Need; 8] = [
        Need::Read,
        Need::Update,
        Need::SelfService,
        Need::Rename,
        Need::Delete,
        Need::Execute,
        Need::Share,
        Need::AuditTrail,
    ];

    fn allowed(standing: Standing) -> Vec<Need> {
        ALL.into_iter().filter(|n| standing.allows(*n)).collect()
    }

    #[test]
    fn each_standing_allows_its_needs() {
        use Need::*;
        assert_eq!(allowed(Standing::Unrestricted), ALL.to_vec());
        assert_eq!(allowed(Standing::Itself), vec![Read, SelfService, Rename]);
        assert_eq!(allowed(Standing::OtherAgent), vec![]);
        assert_eq!(allowed(Standing::Grantee(None)), vec![]);
        assert_eq!(allowed(Standing::Grantee(Some(Role::Owner))), ALL.to_vec());
        assert_eq!(
            allowed(Standing::Grantee(Some(Role::Editor))),
            vec![Read, Update, SelfService, Execute]
        );
        assert_eq!(allowed(Standing::Grantee(Some(Role::Viewer))), vec![Read]);
    }

    #[test]
    fn denials_hide_what_the_caller_cannot_read() {
        let viewer = Standing::Grantee(Some(Role::Viewer));
        assert_eq!(viewer.require(Need::Delete, true), Err(Denial::Forbidden));
        assert_eq!(
            Standing::Grantee(None).require(Need::Delete, true),
            Err(Denial::Hidden)
        );
        assert_eq!(
            Standing::OtherAgent.require(Need::Read, true),
            Err(Denial::Hidden)
        );
        assert_eq!(
            Standing::Itself.require(Need::Delete, true),
            Err(Denial::Forbidden)
        );
    }

    #[test]
    fn a_deleted_agent_shows_only_its_audit_trail_to_owners() {
        let owner = Standing::Grantee(Some(Role::Owner));
        assert_eq!(owner.require(Need::Read, false), Err(Denial::Hidden));
        assert_eq!(owner.require(Need::AuditTrail, false), Ok(()));
        assert_eq!(
            Standing::Grantee(Some(Role::Editor)).require(Need::AuditTrail, false),
            Err(Denial::Hidden)
        );
        assert_eq!(
            Standing::Unrestricted.require(Need::AuditTrail, false),
            Ok(())
        );
    }

    #[test]
    fn identity_or_grants_decide() {
        let me = AgentId::new_random();
        let alice = Principal::User("alice".into());
        assert_eq!(
            Standing::of(&Principal::Agent(me), me, None, true),
            Standing::Itself
        );
        assert_eq!(
            Standing::of(&Principal::Agent(AgentId::new_random()), me, None, true),
            Standing::OtherAgent
        );
        assert_eq!(
            Standing::of(&alice, me, Some(Role::Viewer), true),
            Standing::Grantee(Some(Role::Viewer))
        );
        assert_eq!(
            Standing::of(&alice, me, None, false),
            Standing::Unrestricted
        );
        assert!(Standing::decided_by_grants(&alice, true));
        assert!(!Standing::decided_by_grants(&alice, false));
        assert!(!Standing::decided_by_grants(&Principal::Admin, true));
    }

    #[test]
    fn creators_are_configured_but_never_agent_keys() {
        let alice = Principal::User("alice".into());
        assert!(may_create(&alice, true));
        assert!(!may_create(&alice, false));
        assert!(may_create(&Principal::Admin, false));
        assert!(!may_create(&Principal::Agent(AgentId::new_random()), true));
    }
}
