//! The authorization vocabulary: who (principal), on what (resource), doing what (action), and
//! the roles that grant actions. Pure policy; storage of grants is a port.

use crate::{AgentId, ValidationError};
use std::fmt;

/// Longest name of a `user:` or `service:` principal (and of a service token), in characters
/// of `[A-Za-z0-9-_.@]`.
pub const MAX_PRINCIPAL_NAME_LEN: usize = 128;

/// An authenticated identity. Its textual form (`admin`, `user:alice`, `service:ci`,
/// `agent:<uuid>`) is what grants and audit events store.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Principal {
    /// The platform operator, from the configured admin token: allowed everything, in the org
    /// it names (`X-Registry-Org`), and the only one who manages orgs.
    Admin,
    /// An org admin, from a service token of kind `admin`: allowed everything the platform
    /// admin may do, but only inside its own org (contract §9).
    OrgAdmin(String),
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
                "must be admin, admin:<name>, user:<name>, service:<name> or agent:<uuid>",
            )
        };
        let (kind, rest) = value.split_once(':').ok_or_else(invalid)?;
        let valid_name = !rest.is_empty()
            && rest.len() <= MAX_PRINCIPAL_NAME_LEN
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.@".contains(&b));
        match kind {
            "admin" if valid_name => Ok(Principal::OrgAdmin(rest.to_owned())),
            "user" if valid_name => Ok(Principal::User(rest.to_owned())),
            "service" if valid_name => Ok(Principal::Service(rest.to_owned())),
            "agent" => AgentId::parse(rest, field).map(Principal::Agent),
            _ => Err(invalid()),
        }
    }

    /// True for an admin of the org the request acts in: the platform admin or an org admin.
    /// Both are unrestricted inside that org; the store's org scoping keeps an org admin there.
    pub fn is_admin(&self) -> bool {
        matches!(self, Principal::Admin | Principal::OrgAdmin(_))
    }

    /// True only for the platform admin (`ADMIN_TOKEN`): org management and acting in any org.
    pub fn is_platform_admin(&self) -> bool {
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
            Principal::OrgAdmin(n) => write!(f, "admin:{n}"),
            Principal::User(n) => write!(f, "user:{n}"),
            Principal::Service(n) => write!(f, "service:{n}"),
            Principal::Agent(id) => write!(f, "agent:{id}"),
        }
    }
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
        Principal::OrgAdmin(_) => has_live_token,
        Principal::User(_) | Principal::Service(_) => {
            has_live_token && role.is_some_and(|r| r.allows(MINT_ACTION))
        }
        Principal::Agent(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_round_trip() {
        for text in ["admin", "admin:ops", "user:alice", "service:ci-bot"] {
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
        let ops = Principal::OrgAdmin("ops".into());
        assert!(minter_authority_holds(&ops, None, true));
        assert!(
            !minter_authority_holds(&ops, None, false),
            "a deleted org-admin token"
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
