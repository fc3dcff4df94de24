//! A card as the registry keeps it for one agent: the card, who may fetch it without
//! credentials, and when it last changed (contract §11).

use super::AgentCard;
use crate::{AgentId, Timestamp, ValidationError};

/// Who may fetch a card at the well-known paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CardVisibility {
    /// Whoever may read the agent (contract §6): the default.
    #[default]
    Org,
    /// Anyone, without credentials, at the well-known paths only (no read, list or search of
    /// the agent comes with it).
    Public,
}

impl CardVisibility {
    /// Every visibility.
    pub const ALL: &'static [CardVisibility] = &[CardVisibility::Org, CardVisibility::Public];

    /// The wire and stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CardVisibility::Org => "org",
            CardVisibility::Public => "public",
        }
    }

    /// Parses the wire spelling, naming `visibility` in the error.
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == value)
            .ok_or_else(|| ValidationError::new("visibility", "must be one of: org, public"))
    }
}

/// One agent's card as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCard {
    /// The agent the card describes.
    pub agent_id: AgentId,
    /// The validated card, as sent.
    pub card: AgentCard,
    /// Who may fetch it at the well-known paths.
    pub visibility: CardVisibility,
    /// When it was last stored.
    pub updated_at: Timestamp,
}
