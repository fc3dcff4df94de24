//! The authorization vocabulary: who (principal), on what (resource), doing what (action), and
//! the roles that grant actions. Pure policy; storage of grants is a port.

use crate::{AgentId, ValidationError};
use std::fmt;

/// An authenticated identity. Its textual form (`admin`, `user:alice`, `service:ci`,
/// `agent:<uuid>`) is what grants and audit events store.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Principal {
    /// The operator, from the configured admin token: allowed everything.
    Admin,
    /// A person, from a service token of kind `user`.
    User(String),
    /// A machine, from a service token of kind `service`.
    Service(String),
    /// A running agent, from one of its own API keys.
    Agent(AgentId),
}

impl Principal {
    /// Parses the textual form (as used in grant bodies), naming `field` in the error.
    pub fn parse(value: &str, field: &str) -> Result<Self, ValidationError> {
        if value == "admin" {
            return Ok(Principal::Admin);
        }
        let invalid = || {
            ValidationError::new(
                field,
                "must be admin, user:<name>, service:<name> or agent:<uuid>",
            )
        };
        let (kind, rest) = value.split_once(':').ok_or_else(invalid)?;
        let valid_name = !rest.is_empty()
            && rest.len() <= 128
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.@".contains(&b));
        match kind {
            "user" if valid_name => Ok(Principal::User(rest.to_owned())),
            "service" if valid_name => Ok(Principal::Service(rest.to_owned())),
            "agent" => AgentId::parse(rest, field).map(Principal::Agent),
            _ => Err(invalid()),
        }
    }

    /// True for the configured admin.
    pub fn is_admin(&self) -> bool {
        matches!(self, Principal::Admin)
    }

    /// The agent this principal *is*, for agent-key callers.
    pub fn as_agent(&self) -> Option<AgentId> {
        match self {
            Principal::Agent(id) => Some(*id),
            _ => None,
        }
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Principal::Admin => f.write_str("admin"),
            Principal::User(n) => write!(f, "user:{n}"),
            Principal::Service(n) => write!(f, "service:{n}"),
            Principal::Agent(id) => write!(f, "agent:{id}"),
        }
    }
}

/// What an action is performed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// The type-level resource `agent:*` (used for `create`).
    AnyAgent,
    /// One agent.
    Agent(AgentId),
}

/// Actions a principal may be allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Register new agents (on `agent:*`).
    Create,
    /// See the agent.
    Read,
    /// Change the agent, register it, manage its keys.
    Update,
    /// Delete the agent or its deployments.
    Delete,
    /// Create and promote deployments.
    Execute,
}

/// A role held by a principal on one agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Everything, including sharing.
    Owner,
    /// read, update, execute.
    Editor,
    /// read.
    Viewer,
}

impl Role {
    /// Every role.
    pub const ALL: &'static [Role] = &[Role::Owner, Role::Editor, Role::Viewer];

    /// Wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }

    /// Parses the wire spelling (field `role`).
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        match value {
            "owner" => Ok(Role::Owner),
            "editor" => Ok(Role::Editor),
            "viewer" => Ok(Role::Viewer),
            _ => Err(ValidationError::new(
                "role",
                "must be one of: owner, editor, viewer",
            )),
        }
    }

    /// Whether this role allows `action` on its agent.
    pub fn allows(self, action: Action) -> bool {
        match self {
            Role::Owner => true,
            Role::Editor => matches!(action, Action::Read | Action::Update | Action::Execute),
            Role::Viewer => action == Action::Read,
        }
    }
}

/// What a principal's *identity alone* decides, before any grant is consulted:
/// `Some(true)` allowed, `Some(false)` denied, `None` ask the grants.
///
/// The admin may do everything. An agent key may read itself, update (register) itself and
/// nothing else; it never gets anything from grants. `create` on `agent:*` is a configuration
/// question answered by the caller (see `creators_allowed`).
pub fn identity_decision(
    principal: &Principal,
    resource: Resource,
    action: Action,
    creators_allowed: bool,
) -> Option<bool> {
    match (principal, resource) {
        (Principal::Admin, _) => Some(true),
        (Principal::Agent(me), Resource::Agent(id)) => {
            Some(*me == id && matches!(action, Action::Read | Action::Update))
        }
        (Principal::Agent(_), Resource::AnyAgent) => Some(false),
        (_, Resource::AnyAgent) => Some(action == Action::Create && creators_allowed),
        (_, Resource::Agent(_)) => None,
    }
}

/// The action minting an agent's API keys needs on that agent (`POST /agent_api_keys`).
pub const MINT_ACTION: Action = Action::Update;

/// Whether an agent API key minted by `minter` still authenticates (contract §5.4,
/// docs/security.md): a key never outlives its minter's authority to mint it. The admin always
/// holds it. A user or service holds it while it has a role allowing [`MINT_ACTION`] on the
/// key's agent (`role`: its role there now) and a live service token (`has_live_token`). An
/// agent principal never does: agents do not mint keys.
///
/// The stores apply this rule in the authentication read itself (PostgreSQL spells it in SQL;
/// the contract suite holds both stores to it), so losing the authority ends the keys at once.
pub fn minter_authority_holds(
    minter: &Principal,
    role: Option<Role>,
    has_live_token: bool,
) -> bool {
    match minter {
        Principal::Admin => true,
        Principal::User(_) | Principal::Service(_) => {
            has_live_token && role.is_some_and(|r| r.allows(MINT_ACTION))
        }
        Principal::Agent(_) => false,
    }
}

/// Whether `principal` may rename agent `agent` (contract §4, docs/security.md): the admin, the
/// agent itself (the Agentex runtime renames by redeploying), or an owner (`role`: the
/// principal's role on the agent). An editor may register the agent but not rename it.
pub fn may_rename(principal: &Principal, agent: AgentId, role: Option<Role>) -> bool {
    match principal {
        Principal::Admin => true,
        Principal::Agent(me) => *me == agent,
        Principal::User(_) | Principal::Service(_) => role == Some(Role::Owner),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_round_trip() {
        for text in ["admin", "user:alice", "service:ci-bot"] {
            assert_eq!(Principal::parse(text, "p").unwrap().to_string(), text);
        }
        let id = AgentId::new_random();
        let p = Principal::parse(&format!("agent:{id}"), "p").unwrap();
        assert_eq!(p, Principal::Agent(id));
        assert!(Principal::parse("root", "p").is_err());
        assert!(Principal::parse("user:", "p").is_err());
        assert!(Principal::parse("user:a b", "p").is_err());
    }

    #[test]
    fn roles_allow_their_actions() {
        assert!(Role::Owner.allows(Action::Delete));
        assert!(Role::Editor.allows(Action::Execute));
        assert!(!Role::Editor.allows(Action::Delete));
        assert!(Role::Viewer.allows(Action::Read));
        assert!(!Role::Viewer.allows(Action::Update));
    }

    #[test]
    fn a_key_lives_while_its_minter_may_mint() {
        let alice = Principal::User("alice".into());
        assert!(minter_authority_holds(&Principal::Admin, None, false));
        assert!(minter_authority_holds(&alice, Some(Role::Owner), true));
        assert!(minter_authority_holds(&alice, Some(Role::Editor), true));
        assert!(!minter_authority_holds(&alice, Some(Role::Viewer), true));
        assert!(!minter_authority_holds(&alice, None, true));
        assert!(!minter_authority_holds(&alice, Some(Role::Owner), false));
        let ci = Principal::Service("ci".into());
        assert!(minter_authority_holds(&ci, Some(Role::Editor), true));
        let agent = Principal::Agent(AgentId::new_random());
        assert!(!minter_authority_holds(&agent, Some(Role::Owner), true));
    }

    #[test]
    fn owners_the_admin_and_the_agent_itself_rename() {
        let me = AgentId::new_random();
        let alice = Principal::User("alice".into());
        assert!(may_rename(&Principal::Admin, me, None));
        assert!(may_rename(&Principal::Agent(me), me, None));
        assert!(!may_rename(
            &Principal::Agent(AgentId::new_random()),
            me,
            None
        ));
        assert!(may_rename(&alice, me, Some(Role::Owner)));
        assert!(!may_rename(&alice, me, Some(Role::Editor)));
        assert!(!may_rename(&alice, me, Some(Role::Viewer)));
        assert!(!may_rename(&alice, me, None));
    }

    #[test]
    fn agent_keys_reach_only_their_own_agent() {
        let me = AgentId::new_random();
        let other = AgentId::new_random();
        let p = Principal::Agent(me);
        assert_eq!(
            identity_decision(&p, Resource::Agent(me), Action::Read, true),
            Some(true)
        );
        assert_eq!(
            identity_decision(&p, Resource::Agent(me), Action::Delete, true),
            Some(false)
        );
        assert_eq!(
            identity_decision(&p, Resource::Agent(other), Action::Read, true),
            Some(false)
        );
        assert_eq!(
            identity_decision(&p, Resource::AnyAgent, Action::Create, true),
            Some(false)
        );
        let u = Principal::User("u".into());
        assert_eq!(
            identity_decision(&u, Resource::AnyAgent, Action::Create, false),
            Some(false)
        );
        assert_eq!(
            identity_decision(&u, Resource::Agent(me), Action::Read, true),
            None
        );
    }
}

/// A role held by a principal on one agent (a row of the grants table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The agent.
    pub agent_id: AgentId,
    /// Who holds the role.
    pub principal: Principal,
    /// The role.
    pub role: Role,
    /// When it was granted.
    pub created_at: crate::Timestamp,
}
