#![doc = include_str!("../README.md")]

mod error;
mod registry;

pub use error::RegistryError;
pub use registry::{CreatorPolicy, Registry, RegistryConfig};
