#![doc = include_str!("../README.md")]
// Test support: a failed `unwrap` here is a failed assertion of the contract.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod agent_list;
pub mod agents;
pub mod authorization;
pub mod cards;
pub mod deployments;
pub mod events;
pub mod feed;
pub mod fixtures;
pub mod heartbeats;
pub mod history;
pub mod isolation;
pub mod keys;
pub mod orgs;
pub mod populated;
pub mod quotas;
pub mod subject;
pub mod tenancy;
pub mod tokens;
pub mod totals;
pub mod webhooks;

pub use subject::Subject;

/// Expands to one `#[tokio::test]` per contract behaviour, named `<module>_<behaviour>`, each
/// running the behaviour on a fresh store from `$factory`: an `async fn() -> (Arc<dyn Tenancy>,
/// G)`, where the [`Tenancy`](registry_ports::Tenancy) hands out the store's ports per org and
/// `G` is anything that keeps the store's backing resources alive until the behaviour ends (a
/// throwaway database; `()` for none). The behaviours written before orgs take the `default`
/// org's [`Ports`](registry_ports::Ports); the tenancy behaviours (the second list) take the
/// whole [`Subject`]. The invoking crate needs `tokio` (with `macros` and `rt-multi-thread`)
/// among its dependencies.
#[macro_export]
macro_rules! contract_suite {
    ($factory:path) => {
        $crate::__contract_tests! { $factory;
            agents_create_if_absent_creates_once => agents::create_if_absent_creates_once,
            agents_create_without_owner_grants_nothing => agents::create_without_owner_grants_nothing,
            agents_deleted_agent_frees_its_name => agents::deleted_agent_frees_its_name,
            agents_get_live_by_name_skips_deleted => agents::get_live_by_name_skips_deleted,
            agents_get_absent_is_none => agents::get_absent_is_none,
            agents_get_with_role_reports_the_callers_role => agents::get_with_role_reports_the_callers_role,
            agents_concurrent_create_if_absent_creates_exactly_once => agents::concurrent_create_if_absent_creates_exactly_once,
            agents_update_stores_fields_and_bumps_version => agents::update_stores_fields_and_bumps_version,
            agents_update_with_stale_version_conflicts => agents::update_with_stale_version_conflicts,
            agents_concurrent_updates_one_wins => agents::concurrent_updates_one_wins,
            agents_update_onto_live_name_conflicts => agents::update_onto_live_name_conflicts,
            agents_update_onto_deleted_name_succeeds => agents::update_onto_deleted_name_succeeds,
            agents_rename_and_its_events_are_one_write => agents::rename_and_its_events_are_one_write,
            agents_update_absent_is_not_found => agents::update_absent_is_not_found,
            agents_update_clearing_production_demotes => agents::update_clearing_production_demotes,
            agents_ping_answers => agents::ping_answers,
            agent_list_list_excludes_deleted => agent_list::list_excludes_deleted,
            agent_list_list_filters_by_status => agent_list::list_filters_by_status,
            agent_list_list_orders_by_each_key => agent_list::list_orders_by_each_key,
            agent_list_list_breaks_ties_by_id => agent_list::list_breaks_ties_by_id,
            agent_list_list_pages_with_total => agent_list::list_pages_with_total,
            agent_list_list_only_ids => agent_list::list_only_ids,
            agent_list_list_granted_to => agent_list::list_granted_to,
            agent_list_list_granted_follows_updates => agent_list::list_granted_follows_updates,
            agent_list_list_filters_by_card_metadata => agent_list::list_filters_by_card_metadata,
            agent_list_list_refuses_a_page_over_the_byte_budget => agent_list::list_refuses_a_page_over_the_byte_budget,
            agent_list_list_orders_by_last_seen_with_never_seen_last => agent_list::list_orders_by_last_seen_with_never_seen_last,
            heartbeats_expire_heartbeats_only_stale_ready => heartbeats::expire_heartbeats_only_stale_ready,
            heartbeats_expire_heartbeats_events_once => heartbeats::expire_heartbeats_events_once,
            heartbeats_concurrent_expire_heartbeats_once_per_agent => heartbeats::concurrent_expire_heartbeats_once_per_agent,
            heartbeats_record_heartbeat_writes_observed_state_only => heartbeats::record_heartbeat_writes_observed_state_only,
            deployments_create_and_get => deployments::create_and_get,
            deployments_create_for_absent_agent_is_not_found => deployments::create_for_absent_agent_is_not_found,
            deployments_list_excludes_expired_and_others => deployments::list_excludes_expired_and_others,
            deployments_soft_delete_sets_expiry_once => deployments::soft_delete_sets_expiry_once,
            deployments_soft_delete_production_conflicts => deployments::soft_delete_production_conflicts,
            deployments_soft_delete_elsewhere_is_not_found => deployments::soft_delete_elsewhere_is_not_found,
            deployments_mark_ready_sets_status_and_url => deployments::mark_ready_sets_status_and_url,
            deployments_mark_ready_expired_conflicts => deployments::mark_ready_expired_conflicts,
            deployments_mark_ready_elsewhere_is_not_found => deployments::mark_ready_elsewhere_is_not_found,
            deployments_promote_requires_the_deployment_as_read => deployments::promote_requires_the_deployment_as_read,
            deployments_promote_with_stale_version_conflicts => deployments::promote_with_stale_version_conflicts,
            deployments_promote_moves_production => deployments::promote_moves_production,
            deployments_concurrent_promotes_leave_one_production => deployments::concurrent_promotes_leave_one_production,
            history_record_skips_same_latest_commit => history::record_skips_same_latest_commit,
            history_list_orders_and_pages => history::list_orders_and_pages,
            keys_create_get_list_delete => keys::create_get_list_delete,
            keys_delete_absent_is_not_found => keys::delete_absent_is_not_found,
            keys_name_unique_per_agent_and_type => keys::name_unique_per_agent_and_type,
            keys_duplicate_hash_conflicts => keys::duplicate_hash_conflicts,
            keys_create_for_absent_agent_is_not_found => keys::create_for_absent_agent_is_not_found,
            keys_find_key_only_live => keys::find_key_only_live,
            keys_find_key_finds_credentials_only => keys::find_key_finds_credentials_only,
            keys_has_key_of_type => keys::has_key_of_type,
            keys_admin_minted_key_keeps_working => keys::admin_minted_key_keeps_working,
            keys_key_stops_when_minters_grant_is_revoked => keys::key_stops_when_minters_grant_is_revoked,
            keys_key_stops_when_minter_is_lowered_to_viewer => keys::key_stops_when_minter_is_lowered_to_viewer,
            keys_key_stops_when_minters_token_is_revoked => keys::key_stops_when_minters_token_is_revoked,
            keys_minter_authority_is_on_the_keys_agent => keys::minter_authority_is_on_the_keys_agent,
            tokens_create_list_find_revoke => tokens::create_list_find_revoke,
            tokens_revoke_absent_is_not_found => tokens::revoke_absent_is_not_found,
            tokens_name_and_hash_conflict => tokens::name_and_hash_conflict,
            events_append_and_list_newest_first => events::append_and_list_newest_first,
            events_list_works_for_deleted_agents => events::list_works_for_deleted_agents,
            feed_pages_every_event_once_in_order => feed::pages_every_event_once_in_order,
            feed_filters_by_agent_kind_and_grant => feed::filters_by_agent_kind_and_grant,
            feed_keeps_deleted_agents_events => feed::keeps_deleted_agents_events,
            feed_concurrent_writers_never_skip => feed::concurrent_writers_never_skip,
            authorization_check_follows_role => authorization::check_follows_role,
            authorization_grant_replaces_role => authorization::grant_replaces_role,
            authorization_grant_on_absent_agent_is_not_found => authorization::grant_on_absent_agent_is_not_found,
            authorization_grant_on_deleted_agent_is_not_found => authorization::grant_on_deleted_agent_is_not_found,
            authorization_demoting_last_owner_conflicts => authorization::demoting_last_owner_conflicts,
            authorization_revoke_rules => authorization::revoke_rules,
            authorization_grants_list_owners_first => authorization::grants_list_owners_first,
            totals_totals_per_status_stay_exact => totals::totals_per_status_stay_exact,
            cards_put_get_replace_delete_with_events => cards::put_get_replace_delete_with_events,
            cards_put_needs_a_live_agent => cards::put_needs_a_live_agent,
            cards_card_of_reads_the_live_agent_with_its_card => cards::card_of_reads_the_live_agent_with_its_card,
            cards_search_matches_every_word_of_the_query => cards::search_matches_every_word_of_the_query,
            cards_search_filters_by_skill_tag_and_modes => cards::search_filters_by_skill_tag_and_modes,
            cards_search_matches_capabilities => cards::search_matches_capabilities,
            cards_search_keeps_to_the_scope_and_statuses => cards::search_keeps_to_the_scope_and_statuses,
            cards_search_pages_in_a_stable_order => cards::search_pages_in_a_stable_order,
            cards_search_ranks_the_better_match_first => cards::search_ranks_the_better_match_first,
            cards_search_finds_agents_without_a_card_by_their_own_words => cards::search_finds_agents_without_a_card_by_their_own_words,
            cards_search_needs_every_word_in_one_document => cards::search_needs_every_word_in_one_document,
        }
        $crate::__contract_org_tests! { $factory;
            orgs_default_org_exists => orgs::default_org_exists,
            orgs_org_with_agent_reads_both => orgs::org_with_agent_reads_both,
            orgs_create_reads_back_and_slugs_are_unique => orgs::create_reads_back_and_slugs_are_unique,
            orgs_list_orders_by_slug_with_total => orgs::list_orders_by_slug_with_total,
            orgs_update_changes_what_it_is_given => orgs::update_changes_what_it_is_given,
            orgs_delete_absent_is_not_found => orgs::delete_absent_is_not_found,
            orgs_delete_with_live_agents_conflicts => orgs::delete_with_live_agents_conflicts,
            orgs_delete_removes_what_the_org_owns => orgs::delete_removes_what_the_org_owns,
            isolation_agents_stay_in_their_org => isolation::agents_stay_in_their_org,
            isolation_deployments_stay_in_their_org => isolation::deployments_stay_in_their_org,
            isolation_history_stays_in_its_org => isolation::history_stays_in_its_org,
            isolation_keys_stay_in_their_org => isolation::keys_stay_in_their_org,
            isolation_tokens_stay_in_their_org => isolation::tokens_stay_in_their_org,
            isolation_events_stay_in_their_org => isolation::events_stay_in_their_org,
            isolation_feed_stays_in_its_org => isolation::feed_stays_in_its_org,
            isolation_grants_stay_in_their_org => isolation::grants_stay_in_their_org,
            quotas_create_at_the_limit_is_refused => quotas::create_at_the_limit_is_refused,
            quotas_existing_name_is_never_refused => quotas::existing_name_is_never_refused,
            quotas_deleting_frees_quota => quotas::deleting_frees_quota,
            quotas_lowering_below_current_refuses_creates => quotas::lowering_below_current_refuses_creates,
            quotas_no_quota_is_unlimited => quotas::no_quota_is_unlimited,
            quotas_quota_counts_its_own_org_only => quotas::quota_counts_its_own_org_only,
            quotas_concurrent_creates_at_the_limit_create_once => quotas::concurrent_creates_at_the_limit_create_once,
            tenancy_same_live_name_in_two_orgs => tenancy::same_live_name_in_two_orgs,
            tenancy_token_names_are_per_org => tenancy::token_names_are_per_org,
            tenancy_credentials_resolve_to_their_org => tenancy::credentials_resolve_to_their_org,
            tenancy_minter_authority_is_judged_in_the_keys_org => tenancy::minter_authority_is_judged_in_the_keys_org,
            tenancy_org_admin_minted_key_needs_its_token_in_that_org => tenancy::org_admin_minted_key_needs_its_token_in_that_org,
            tenancy_expire_heartbeats_spans_orgs => tenancy::expire_heartbeats_spans_orgs,
            tenancy_token_with_agent_reads_both_in_its_org => tenancy::token_with_agent_reads_both_in_its_org,
            webhooks_round_trip_within_their_org => webhooks::round_trip_within_their_org,
            webhooks_rotation_keeps_the_replaced_secret_for_the_overlap => webhooks::rotation_keeps_the_replaced_secret_for_the_overlap,
            webhooks_concurrent_claims_never_share_a_subscription => webhooks::concurrent_claims_never_share_a_subscription,
            webhooks_an_expired_lease_passes_to_the_next_claim => webhooks::an_expired_lease_passes_to_the_next_claim,
            webhooks_attempts_move_the_position_only_when_delivered => webhooks::attempts_move_the_position_only_when_delivered,
            webhooks_the_delivery_log_keeps_the_newest_attempts => webhooks::the_delivery_log_keeps_the_newest_attempts,
            webhooks_replay_rewinds_and_revokes_the_claim => webhooks::replay_rewinds_and_revokes_the_claim,
            webhooks_enabling_a_failing_subscription_resets_it => webhooks::enabling_a_failing_subscription_resets_it,
            webhooks_new_subscriptions_start_at_the_feed_head => webhooks::new_subscriptions_start_at_the_feed_head,
            cards_cards_stay_in_their_org => cards::cards_stay_in_their_org,
        }
    };
}

/// Expands to one `#[tokio::test]` per bounded-total behaviour ([`totals`]), each running on
/// the [`Ports`](registry_ports::Ports) of a fresh, empty store from `$factory`: an
/// `async fn(CountBound) -> (Ports, G)` building the store with that count bound (the behaviours
/// pass [`totals::TEST_BOUND`]), `G` as for [`contract_suite!`].
#[macro_export]
macro_rules! bounded_totals_suite {
    ($factory:path) => {
        $crate::__bounded_tests! { $factory;
            totals_kept_totals_are_exact_past_the_bound => totals::kept_totals_are_exact_past_the_bound,
            totals_filtered_agent_totals_stop_at_the_bound => totals::filtered_agent_totals_stop_at_the_bound,
            totals_other_lists_stop_at_the_bound => totals::other_lists_stop_at_the_bound,
        }
    };
}

/// Implementation detail of [`bounded_totals_suite!`]: one test per `name => module::behaviour`.
#[doc(hidden)]
#[macro_export]
macro_rules! __bounded_tests {
    ($factory:path; $($test:ident => $module:ident :: $behaviour:ident,)*) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $test() {
                let bound = ::registry_domain::CountBound::new($crate::totals::TEST_BOUND)
                    .expect("a positive bound");
                let (ports, _guard) = $factory(bound).await;
                $crate::$module::$behaviour(ports).await
            }
        )*
    };
}

/// Implementation detail of [`contract_suite!`]: one test per `name => module::behaviour`, the
/// behaviour given the `default` org's ports.
#[doc(hidden)]
#[macro_export]
macro_rules! __contract_tests {
    ($factory:path; $($test:ident => $module:ident :: $behaviour:ident,)*) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $test() {
                let (tenancy, _guard) = $factory().await;
                let subject = $crate::Subject::new(tenancy);
                $crate::$module::$behaviour(subject.default_ports()).await
            }
        )*
    };
}

/// Implementation detail of [`contract_suite!`]: one test per `name => module::behaviour`, the
/// behaviour given the whole [`Subject`] (every org's ports).
#[doc(hidden)]
#[macro_export]
macro_rules! __contract_org_tests {
    ($factory:path; $($test:ident => $module:ident :: $behaviour:ident,)*) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $test() {
                let (tenancy, _guard) = $factory().await;
                $crate::$module::$behaviour($crate::Subject::new(tenancy)).await
            }
        )*
    };
}
