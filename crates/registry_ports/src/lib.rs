#![doc = include_str!("../README.md")]

mod agents;
mod authentication;
mod authorization;
mod bundle;
mod card_signing;
mod cards;
mod deployments;
mod error;
mod events;
mod keys;
mod orgs;
mod webhooks;

pub use agents::*;
pub use authentication::*;
pub use authorization::*;
pub use bundle::Ports;
pub use card_signing::*;
pub use cards::*;
pub use deployments::*;
pub use error::*;
pub use events::*;
pub use keys::*;
pub use orgs::*;
pub use webhooks::*;
