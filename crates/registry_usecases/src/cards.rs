//! A2A agent cards (contract §11): `PUT/GET/DELETE /agents/{id}/card`, the card served at the
//! well-known paths, and `GET /agents/search`.

use crate::audit::{event, now};
use crate::repo_error::repo_error;
use crate::{Registry, RegistryError};
use registry_domain::{
    AgentCard, AgentId, AgentRef, CardVisibility, EventKind, Need, Principal, StoredCard,
};
use registry_ports::{CardSearch, RepoError, SearchPage};
use serde_json::json;

impl Registry {
    /// Stores `card` as agent `id`'s card (replacing any) with a `card_updated` event, in one
    /// transaction. Needs `update`.
    ///
    /// Errors: `AgentNotFound` (absent, Deleted, unreadable — also when deleted meanwhile),
    /// `Forbidden`, `Unavailable`, `Internal`.
    pub async fn put_card(
        &self,
        caller: &Principal,
        id: AgentId,
        card: AgentCard,
        visibility: CardVisibility,
    ) -> Result<StoredCard, RegistryError> {
        self.read_agent_for(caller, &AgentRef::Id(id), Need::Update)
            .await?;
        let at = now();
        let stored = StoredCard {
            agent_id: id,
            card,
            visibility,
            updated_at: at,
        };
        let detail = json!({ "visibility": visibility.as_str() });
        let updated = event(id, EventKind::CardUpdated, caller, at, detail);
        match self.cards.put_card(&stored, &updated).await {
            Err(RepoError::NotFound) => Err(RegistryError::AgentNotFound),
            other => other.map_err(repo_error),
        }
    }

    /// Agent `id`'s card. Needs `read`.
    ///
    /// Errors: `AgentNotFound`, `CardNotFound` (readable, no card), `Unavailable`, `Internal`.
    pub async fn get_card(
        &self,
        caller: &Principal,
        id: AgentId,
    ) -> Result<StoredCard, RegistryError> {
        self.read_agent_for(caller, &AgentRef::Id(id), Need::Read)
            .await?;
        self.cards
            .get_card(id)
            .await
            .map_err(repo_error)?
            .ok_or(RegistryError::CardNotFound)
    }

    /// Removes agent `id`'s card with a `card_updated` event. Needs `update`.
    ///
    /// Errors: `AgentNotFound`, `Forbidden`, `CardNotFound`, `Unavailable`, `Internal`.
    pub async fn delete_card(&self, caller: &Principal, id: AgentId) -> Result<(), RegistryError> {
        self.read_agent_for(caller, &AgentRef::Id(id), Need::Update)
            .await?;
        let removed = event(
            id,
            EventKind::CardUpdated,
            caller,
            now(),
            json!({ "removed": true }),
        );
        match self.cards.delete_card(id, &removed).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(RegistryError::CardNotFound),
            Err(e) => Err(repo_error(e)),
        }
    }

    /// The card served at the well-known paths for the live agent `at`: a `public` card to
    /// anyone (`caller` may be `None`), an `org` card to whoever may read the agent.
    ///
    /// Errors: `AgentNotFound` (absent, Deleted, no card, or not readable — one answer),
    /// `Unavailable`, `Internal`.
    pub async fn served_card(
        &self,
        caller: Option<&Principal>,
        at: &AgentRef,
    ) -> Result<StoredCard, RegistryError> {
        let (agent, card) = self
            .cards
            .card_of(at)
            .await
            .map_err(repo_error)?
            .ok_or(RegistryError::AgentNotFound)?;
        if card.visibility == CardVisibility::Public {
            return Ok(card);
        }
        let caller = caller.ok_or(RegistryError::AgentNotFound)?;
        // The card's agent by id: a rename between the two reads cannot swap agents.
        self.read_agent_for(caller, &AgentRef::Id(agent.id), Need::Read)
            .await?;
        Ok(card)
    }

    /// The live agents matching `query` by their own words or their cards, among those the
    /// caller may read (the query's scope is replaced by the caller's).
    ///
    /// Errors: `Unavailable`, `Internal`.
    pub async fn search_cards(
        &self,
        caller: &Principal,
        query: CardSearch,
    ) -> Result<SearchPage, RegistryError> {
        let scope = self.list_scope(caller);
        let query = CardSearch {
            only_ids: scope.only_ids,
            granted_to: scope.granted_to,
            ..query
        };
        self.cards.search(&query).await.map_err(repo_error)
    }
}
