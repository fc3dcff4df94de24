//! The black-box tests of `registry_e2e` in one test binary (one compile and one link, not
//! fourteen): each module is one area, and its name prefixes its tests' names
//! (`e2e_abuse::random_methods_are_501_and_do_not_grow_metrics`), so a filter such as
//! `cargo nextest run -p registry_e2e e2e_abuse::` runs one area.
//!
//! Every `e2e_*` module starts the built `agent-registry` on a fresh PostgreSQL database
//! ([`registry_e2e::TestServer`]) and speaks HTTP to it; `http_on_postgres` runs the HTTP
//! adapter in process over PostgreSQL (a subset of `registry_http`'s suite and a property test,
//! kept here because `registry_http` must not depend on the database); `architecture` checks the
//! dependency rules of docs/ARCHITECTURE.md with `cargo tree`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod architecture;
mod e2e_abuse;
mod e2e_agentex_client;
mod e2e_agentex_runtime;
mod e2e_agents;
mod e2e_cards;
mod e2e_console;
mod e2e_deployments;
mod e2e_failover;
mod e2e_feed;
mod e2e_heartbeat;
mod e2e_key_lifecycle;
mod e2e_memory;
mod e2e_ops;
mod e2e_orgs;
mod e2e_outage;
mod e2e_peer_behaviour;
mod e2e_poison;
mod e2e_schemathesis;
mod e2e_security;
mod e2e_webhooks;
mod http_on_postgres;
