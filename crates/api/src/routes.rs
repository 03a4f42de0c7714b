//! The URL → handler table: every route of the server is listed here.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::events;
use crate::metrics;
use crate::statuses::Action;
use crate::{
    ApiError, AppState, accounts, conversations, filters, health, instance, lists, markers, media, nodeinfo,
    notification_requests, notifications, oauth, polls, push, rate_limit, request_log, search, startup, static_files,
    statuses, streaming, tags, timelines,
};
use crate::{admin, announcements, reports};
use crate::{directory, domain_blocks, featured_tags, groups, instance_pages, instance_policy, profile, suggestions};
use tertulia_domain::media::ProfileImage;

const HEALTH: &str = "/healthz";
const MEDIA_FILES: &str = "/media/{path:.*}";
/// Routes without rate limits: health probes, and stored or built-in
/// files, which a page of posts loads by the dozen.
pub const UNLIMITED: [&str; 4] =
    [HEALTH, MEDIA_FILES, static_files::MISSING_AVATAR_PATH, static_files::MISSING_HEADER_PATH];

/// Registers every route, the shared state, body limits and JSON errors.
/// `server_to_server` adds the routes other sites call (federation); they
/// share the logging and path rules, and have a rate limit of their own.
pub fn configure(
    state: AppState,
    server_to_server: impl FnOnce(&mut web::ServiceConfig),
) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        let limit = usize::try_from(state.ctx.config.limits.max_request_bytes).unwrap_or(usize::MAX);
        let metrics_here = state.ctx.config.metrics.on_main_address();
        cfg.app_data(web::Data::new(state))
            .app_data(web::JsonConfig::default().limit(limit).error_handler(|e, _| json_error(e)))
            .app_data(web::FormConfig::default().limit(limit).error_handler(|e, _| form_error(e)))
            .app_data(web::PayloadConfig::default().limit(limit))
            .app_data(web::PathConfig::default().error_handler(|e, _| ApiError::NotFound(e.to_string()).into()))
            .app_data(web::QueryConfig::default().error_handler(|e, _| ApiError::BadRequest(e.to_string()).into()))
            .service(
                web::scope("")
                    // Rails (and so Mastodon) ignores a trailing slash; clients
                    // such as Mastodon.py send one.
                    .wrap(actix_web::middleware::from_fn(rate_limit::rate_limit))
                    .wrap(crate::cors::CrossOrigin)
                    .wrap(actix_web::middleware::NormalizePath::trim())
                    .wrap(actix_web::middleware::from_fn(request_log::request_log))
                    // Before `/@{name}/{id}`, which would take it.
                    .route("/@{name}/events.ics", web::get().to(events::person_feed))
                    .configure(crate::public_pages::person_routes)
                    .configure(server_to_server)
                    .configure(metrics::configure_main(metrics_here))
                    .route(HEALTH, web::get().to(health::healthz))
                    .route("/api/v1/instance", web::get().to(instance::v1))
                    .route("/api/v2/instance", web::get().to(instance::v2))
                    .route("/.well-known/nodeinfo", web::get().to(nodeinfo::well_known))
                    .route("/.well-known/host-meta", web::get().to(nodeinfo::host_meta))
                    .route("/nodeinfo/{version}", web::get().to(nodeinfo::document))
                    .route("/.well-known/oauth-authorization-server", web::get().to(oauth::metadata))
                    .route("/oauth/authorize", web::get().to(oauth::authorize::show))
                    .route("/oauth/authorize", web::post().to(oauth::authorize::submit))
                    .route("/oauth/oidc/start", web::get().to(oauth::oidc::start))
                    .route(tertulia_domain::identity::oidc::CALLBACK_PATH, web::get().to(oauth::oidc::callback))
                    .route("/oauth/token", web::post().to(oauth::token::token))
                    .route("/oauth/revoke", web::post().to(oauth::token::revoke))
                    .route("/oauth/userinfo", web::get().to(oauth::userinfo))
                    .route(crate::web::STYLESHEET_PATH, web::get().to(crate::web::stylesheet))
                    .configure(crate::dashboard::routes)
                    .configure(crate::public_pages::routes)
                    .route("/oauth/userinfo", web::post().to(oauth::userinfo))
                    .route("/api/v1/apps", web::post().to(oauth::apps::create))
                    .route("/api/v1/apps/verify_credentials", web::get().to(oauth::apps::verify_credentials))
                    .route("/api/v1/accounts/verify_credentials", web::get().to(accounts::verify_credentials))
                    .route("/api/v1/accounts", web::post().to(accounts::register))
                    .route("/api/v1/accounts/update_credentials", web::patch().to(accounts::update_credentials))
                    .route("/api/v1/accounts/relationships", web::get().to(accounts::relationships))
                    .route("/api/v1/accounts/familiar_followers", web::get().to(accounts::familiar_followers))
                    .route("/api/v1/accounts/lookup", web::get().to(accounts::lookup))
                    .route("/api/v1/accounts/search", web::get().to(search::accounts))
                    .route("/api/v2/search", web::get().to(search::v2))
                    .route("/api/v1/announcements", web::get().to(announcements::index))
                    .route("/api/v1/announcements/{id}/dismiss", web::post().to(announcements::dismiss))
                    .route("/api/v1/announcements/{id}/reactions/{name}", web::put().to(announcements::react(true)))
                    .route("/api/v1/announcements/{id}/reactions/{name}", web::delete().to(announcements::react(false)))
                    .route("/api/v1/admin/announcements", web::get().to(admin::announcements::index))
                    .route("/api/v1/admin/announcements", web::post().to(admin::announcements::create))
                    .route("/api/v1/admin/announcements/{id}", web::get().to(admin::announcements::show))
                    .route("/api/v1/admin/announcements/{id}", web::put().to(admin::announcements::update))
                    .route("/api/v1/admin/announcements/{id}", web::delete().to(admin::announcements::delete))
                    .route("/api/v1/admin/announcements/{id}/publish", web::post().to(admin::announcements::publish))
                    .route(
                        "/api/v1/admin/announcements/{id}/unpublish",
                        web::post().to(admin::announcements::unpublish),
                    )
                    .route("/api/v1/tags/{name}", web::get().to(tags::get))
                    .route("/api/v1/tags/{name}/follow", web::post().to(tags::follow(true)))
                    .route("/api/v1/tags/{name}/unfollow", web::post().to(tags::follow(false)))
                    .route("/api/v1/followed_tags", web::get().to(tags::followed))
                    .route("/api/v1/accounts", web::get().to(accounts::many))
                    .route("/api/v1/tags/{name}/feature", web::post().to(featured_tags::feature(true)))
                    .route("/api/v1/tags/{name}/unfeature", web::post().to(featured_tags::feature(false)))
                    .route("/api/v1/featured_tags", web::get().to(featured_tags::index))
                    .route("/api/v1/featured_tags", web::post().to(featured_tags::create))
                    .route("/api/v1/featured_tags/suggestions", web::get().to(featured_tags::suggestions))
                    .route("/api/v1/featured_tags/{id}", web::delete().to(featured_tags::delete))
                    .route("/api/v1/accounts/{id}/featured_tags", web::get().to(featured_tags::of_account))
                    .route("/api/v1/accounts/{id}/note", web::post().to(accounts::note))
                    .route("/api/v1/accounts/{id}/pin", web::post().to(accounts::endorse(true)))
                    .route("/api/v1/accounts/{id}/endorse", web::post().to(accounts::endorse(true)))
                    .route("/api/v1/accounts/{id}/unpin", web::post().to(accounts::endorse(false)))
                    .route("/api/v1/accounts/{id}/unendorse", web::post().to(accounts::endorse(false)))
                    .route("/api/v1/accounts/{id}/endorsements", web::get().to(accounts::account_endorsements))
                    .route(
                        "/api/v1/accounts/{id}/remove_from_followers",
                        web::post().to(accounts::remove_from_followers),
                    )
                    .route("/api/v1/admin/domain_allows", web::get().to(admin::domain_allows::index))
                    .route("/api/v1/admin/domain_allows", web::post().to(admin::domain_allows::create))
                    .route("/api/v1/admin/domain_allows/{id}", web::get().to(admin::domain_allows::show))
                    .route("/api/v1/admin/domain_allows/{id}", web::delete().to(admin::domain_allows::delete))
                    .route("/api/v1/admin/trends/tags", web::get().to(admin::trends::tags))
                    .route("/api/v1/admin/trends/tags/{id}/approve", web::post().to(admin::trends::review_tag(true)))
                    .route("/api/v1/admin/trends/tags/{id}/reject", web::post().to(admin::trends::review_tag(false)))
                    .route("/api/v1/admin/trends/statuses", web::get().to(admin::trends::statuses))
                    .route(
                        "/api/v1/admin/trends/statuses/{id}/approve",
                        web::post().to(admin::trends::review_status(true)),
                    )
                    .route(
                        "/api/v1/admin/trends/statuses/{id}/reject",
                        web::post().to(admin::trends::review_status(false)),
                    )
                    .route("/api/v1/admin/trends/links", web::get().to(admin::trends::links))
                    .route("/api/v1/admin/email_domain_blocks", web::get().to(admin::email_domain_blocks::index))
                    .route("/api/v1/admin/email_domain_blocks", web::post().to(admin::email_domain_blocks::create))
                    .route("/api/v1/admin/email_domain_blocks/{id}", web::get().to(admin::email_domain_blocks::show))
                    .route(
                        "/api/v1/admin/email_domain_blocks/{id}",
                        web::delete().to(admin::email_domain_blocks::delete),
                    )
                    .route(
                        "/api/v1/admin/canonical_email_blocks/test",
                        web::post().to(admin::canonical_email_blocks::test),
                    )
                    .route("/api/v1/admin/canonical_email_blocks", web::get().to(admin::canonical_email_blocks::index))
                    .route(
                        "/api/v1/admin/canonical_email_blocks",
                        web::post().to(admin::canonical_email_blocks::create),
                    )
                    .route(
                        "/api/v1/admin/canonical_email_blocks/{id}",
                        web::get().to(admin::canonical_email_blocks::show),
                    )
                    .route(
                        "/api/v1/admin/canonical_email_blocks/{id}",
                        web::delete().to(admin::canonical_email_blocks::delete),
                    )
                    .route("/api/v1/admin/ip_blocks", web::get().to(admin::ip_blocks::index))
                    .route("/api/v1/admin/ip_blocks", web::post().to(admin::ip_blocks::create))
                    .route("/api/v1/admin/ip_blocks/{id}", web::get().to(admin::ip_blocks::show))
                    .route("/api/v1/admin/ip_blocks/{id}", web::put().to(admin::ip_blocks::update))
                    .route("/api/v1/admin/ip_blocks/{id}", web::delete().to(admin::ip_blocks::delete))
                    .route("/api/v1/admin/domain_blocks", web::get().to(admin::domain_blocks::index))
                    .route("/api/v1/admin/domain_blocks", web::post().to(admin::domain_blocks::create))
                    .route("/api/v1/admin/domain_blocks/{id}", web::get().to(admin::domain_blocks::show))
                    .route("/api/v1/admin/domain_blocks/{id}", web::put().to(admin::domain_blocks::update))
                    .route("/api/v1/admin/domain_blocks/{id}", web::delete().to(admin::domain_blocks::delete))
                    .route("/api/v1/admin/accounts", web::get().to(admin::accounts::index_v1))
                    .route("/api/v2/admin/accounts", web::get().to(admin::accounts::index_v2))
                    .route("/api/v1/admin/accounts/{id}", web::get().to(admin::accounts::show))
                    .route("/api/v1/admin/accounts/{id}", web::delete().to(admin::accounts::delete))
                    .route("/api/v1/admin/accounts/{id}/action", web::post().to(admin::accounts::action))
                    .route("/api/v1/admin/accounts/{id}/approve", web::post().to(admin::accounts::approve))
                    .route("/api/v1/admin/accounts/{id}/reject", web::post().to(admin::accounts::reject))
                    .route("/api/v1/admin/accounts/{id}/enable", web::post().to(admin::accounts::enable))
                    .route("/api/v1/admin/accounts/{id}/unsilence", web::post().to(admin::accounts::unsilence))
                    .route("/api/v1/admin/accounts/{id}/unsuspend", web::post().to(admin::accounts::unsuspend))
                    .route("/api/v1/admin/accounts/{id}/unsensitive", web::post().to(admin::accounts::unsensitive))
                    .route("/api/v1/admin/audit_log", web::get().to(admin::audit_log::index))
                    .route("/api/v1/reports", web::post().to(reports::create))
                    .route("/api/v1/admin/reports", web::get().to(admin::reports::index))
                    .route("/api/v1/admin/reports/{id}", web::get().to(admin::reports::show))
                    .route("/api/v1/admin/reports/{id}", web::put().to(admin::reports::update))
                    .route("/api/v1/admin/reports/{id}/assign_to_self", web::post().to(admin::reports::assign_to_self))
                    .route("/api/v1/admin/reports/{id}/unassign", web::post().to(admin::reports::unassign))
                    .route("/api/v1/admin/reports/{id}/resolve", web::post().to(admin::reports::resolve))
                    .route("/api/v1/admin/reports/{id}/reopen", web::post().to(admin::reports::reopen))
                    .route("/api/v1/admin/measures", web::post().to(admin::analytics::measures))
                    .route("/api/v1/admin/dimensions", web::post().to(admin::analytics::dimensions))
                    .route("/api/v1/admin/retention", web::post().to(admin::analytics::retention))
                    .route("/api/v1/admin/adoption", web::get().to(admin::analytics::adoption))
                    .route("/api/v1/admin/adoption/sites", web::get().to(admin::company_adoption::sites))
                    .route("/api/v1/domain_blocks", web::get().to(domain_blocks::index))
                    .route("/api/v1/domain_blocks", web::post().to(domain_blocks::create))
                    .route("/api/v1/domain_blocks", web::delete().to(domain_blocks::delete))
                    .route("/api/v1/statuses", web::get().to(statuses::many))
                    .route("/api/v1/profile", web::get().to(profile::show))
                    .route("/api/v1/profile", web::patch().to(profile::update))
                    .route("/api/v1/profile/avatar", web::delete().to(profile::remove_image(ProfileImage::Avatar)))
                    .route("/api/v1/profile/header", web::delete().to(profile::remove_image(ProfileImage::Header)))
                    .route("/api/v1/emails/confirmations", web::post().to(profile::resend_confirmation))
                    .route("/api/v1/instance/activity", web::get().to(instance_pages::activity))
                    .route("/api/v1/instance/privacy_policy", web::get().to(instance_pages::privacy_policy))
                    .route("/api/v1/instance/terms_of_service", web::get().to(instance_pages::terms_of_service))
                    .route("/api/v1/instance/languages", web::get().to(instance_pages::languages))
                    .route(
                        "/api/v1/instance/translation_languages",
                        web::get().to(instance_pages::translation_languages),
                    )
                    .route("/api/v1/suggestions", web::get().to(suggestions::v1))
                    .route("/api/v1/suggestions/{id}", web::delete().to(suggestions::dismiss))
                    .route("/api/v1/directory", web::get().to(directory::list))
                    .route("/api/v1/accounts/{id}", web::get().to(accounts::get))
                    .route("/api/v1/accounts/{id}/statuses", web::get().to(accounts::statuses))
                    .route("/api/v1/tertulia/accounts/{id}/kudos", web::get().to(crate::kudos::received))
                    .route("/api/v1/accounts/{id}/followers", web::get().to(accounts::follow_list(true)))
                    .route("/api/v1/accounts/{id}/following", web::get().to(accounts::follow_list(false)))
                    .route("/api/v1/accounts/{id}/lists", web::get().to(lists::containing))
                    .route("/api/v1/accounts/{id}/follow", web::post().to(accounts::follow))
                    .route("/api/v1/accounts/{id}/unfollow", web::post().to(accounts::unfollow))
                    .route("/api/v1/accounts/{id}/block", web::post().to(accounts::block))
                    .route("/api/v1/accounts/{id}/unblock", web::post().to(accounts::unblock))
                    .route("/api/v1/accounts/{id}/mute", web::post().to(accounts::mute))
                    .route("/api/v1/accounts/{id}/unmute", web::post().to(accounts::unmute))
                    .route("/api/v1/follow_requests", web::get().to(accounts::follow_requests))
                    .route("/api/v1/follow_requests/{id}/{decision}", web::post().to(accounts::answer_follow_request))
                    .route("/api/v1/statuses", web::post().to(statuses::create))
                    .route("/api/v1/statuses/{id}", web::get().to(statuses::get))
                    .route("/api/v1/statuses/{id}", web::put().to(statuses::update))
                    .route("/api/v1/statuses/{id}", web::delete().to(statuses::delete))
                    .route("/api/v1/statuses/{id}/history", web::get().to(statuses::history))
                    .route("/api/v1/statuses/{id}/source", web::get().to(statuses::source))
                    .route("/api/v1/statuses/{id}/favourited_by", web::get().to(statuses::reacted_by(true)))
                    .route("/api/v1/statuses/{id}/reblogged_by", web::get().to(statuses::reacted_by(false)))
                    .route("/api/v1/statuses/{id}/context", web::get().to(statuses::context))
                    .route("/api/v1/statuses/{id}/quotes", web::get().to(statuses::quotes))
                    .route(
                        "/api/v1/statuses/{id}/quotes/{quoting_status_id}/revoke",
                        web::post().to(statuses::revoke_quote),
                    )
                    .route("/api/v1/statuses/{id}/interaction_policy", web::put().to(statuses::interaction_policy))
                    .route("/api/v1/statuses/{id}/favourite", web::post().to(statuses::act(Action::Favourite)))
                    .route("/api/v1/statuses/{id}/unfavourite", web::post().to(statuses::act(Action::Unfavourite)))
                    .route("/api/v1/statuses/{id}/bookmark", web::post().to(statuses::act(Action::Bookmark)))
                    .route("/api/v1/statuses/{id}/unbookmark", web::post().to(statuses::act(Action::Unbookmark)))
                    .route("/api/v1/statuses/{id}/reblog", web::post().to(statuses::act(Action::Reblog)))
                    .route("/api/v1/statuses/{id}/unreblog", web::post().to(statuses::act(Action::Unreblog)))
                    .route("/api/v1/statuses/{id}/pin", web::post().to(statuses::act(Action::Pin)))
                    .route("/api/v1/statuses/{id}/unpin", web::post().to(statuses::act(Action::Unpin)))
                    .route("/api/v1/statuses/{id}/mute", web::post().to(statuses::act(Action::Mute)))
                    .route("/api/v1/statuses/{id}/unmute", web::post().to(statuses::act(Action::Unmute)))
                    .route("/api/v1/scheduled_statuses", web::get().to(crate::scheduled::list))
                    .route("/api/v1/scheduled_statuses/{id}", web::get().to(crate::scheduled::get))
                    .route("/api/v1/scheduled_statuses/{id}", web::put().to(crate::scheduled::update))
                    .route("/api/v1/scheduled_statuses/{id}", web::delete().to(crate::scheduled::cancel))
                    .route("/api/v1/polls/{id}", web::get().to(polls::get))
                    .route("/api/v1/polls/{id}/votes", web::post().to(polls::vote))
                    .route("/api/v1/media", web::post().to(media::upload))
                    .route("/api/v2/media", web::post().to(media::upload))
                    .route("/api/v1/media/{id}", web::get().to(media::get))
                    .route("/api/v1/media/{id}", web::put().to(media::update))
                    .route("/api/v1/media/{id}", web::delete().to(media::delete))
                    .route(MEDIA_FILES, web::get().to(media::serve))
                    .route("/api/v1/timelines/home", web::get().to(timelines::home))
                    .route("/api/v1/timelines/public", web::get().to(timelines::public))
                    .route("/api/v1/timelines/tag/{tag}", web::get().to(timelines::hashtag))
                    .route("/api/v1/timelines/list/{id}", web::get().to(lists::timeline))
                    .route("/api/v1/markers", web::get().to(markers::get))
                    .route("/api/v1/markers", web::post().to(markers::save))
                    .route("/api/v1/notifications", web::get().to(notifications::list))
                    .route("/api/v2/notifications", web::get().to(notifications::list_grouped))
                    .route("/api/v1/notifications/unread_count", web::get().to(notifications::unread_count(false)))
                    .route("/api/v2/notifications/unread_count", web::get().to(notifications::unread_count(true)))
                    .route("/api/v2/notifications/policy", web::get().to(notification_requests::get_policy(true)))
                    .route("/api/v2/notifications/policy", web::patch().to(notification_requests::update_policy(true)))
                    .route("/api/v2/notifications/{group_key}", web::get().to(notifications::get_group))
                    .route("/api/v2/notifications/{group_key}/accounts", web::get().to(notifications::group_accounts))
                    .route("/api/v2/notifications/{group_key}/dismiss", web::post().to(notifications::dismiss_group))
                    .route("/api/v1/notifications/clear", web::post().to(notifications::clear))
                    .route("/api/v1/notifications/policy", web::get().to(notification_requests::get_policy(false)))
                    .route("/api/v1/notifications/policy", web::patch().to(notification_requests::update_policy(false)))
                    .route("/api/v1/notifications/requests", web::get().to(notification_requests::list))
                    .route("/api/v1/notifications/requests/merged", web::get().to(notification_requests::merged))
                    .route(
                        "/api/v1/notifications/requests/accept",
                        web::post().to(notification_requests::settle_many(true)),
                    )
                    .route(
                        "/api/v1/notifications/requests/dismiss",
                        web::post().to(notification_requests::settle_many(false)),
                    )
                    .route("/api/v1/notifications/requests/{id}", web::get().to(notification_requests::get))
                    .route(
                        "/api/v1/notifications/requests/{id}/accept",
                        web::post().to(notification_requests::settle_one(true)),
                    )
                    .route(
                        "/api/v1/notifications/requests/{id}/dismiss",
                        web::post().to(notification_requests::settle_one(false)),
                    )
                    .route("/api/v1/notifications/{id}", web::get().to(notifications::get))
                    .route("/api/v1/notifications/{id}/dismiss", web::post().to(notifications::dismiss))
                    .route("/api/v1/bookmarks", web::get().to(startup::saved(true)))
                    .route("/api/v1/favourites", web::get().to(startup::saved(false)))
                    .route("/api/v1/preferences", web::get().to(startup::preferences))
                    .route("/api/v1/custom_emojis", web::get().to(startup::custom_emojis))
                    .route("/api/v1/push/subscription", web::get().to(push::show))
                    .route("/api/v1/push/subscription", web::post().to(push::create))
                    .route("/api/v1/push/subscription", web::put().to(push::update))
                    .route("/api/v1/push/subscription", web::delete().to(push::delete))
                    .route("/api/v1/instance/extended_description", web::get().to(startup::extended_description))
                    .route("/api/v1/instance/peers", web::get().to(instance_policy::peers))
                    .route("/api/v1/instance/domain_blocks", web::get().to(instance_policy::domain_blocks))
                    .route("/api/v1/instance/rules", web::get().to(instance::rules_list))
                    .route("/api/v1/trends", web::get().to(tags::trending_tags))
                    .route("/api/v1/trends/tags", web::get().to(tags::trending_tags))
                    .route("/api/v1/trends/statuses", web::get().to(tags::trending_statuses))
                    .route("/api/v1/trends/links", web::get().to(startup::public_empty_list))
                    .route("/api/v1/lists", web::get().to(lists::index))
                    .route("/api/v1/lists", web::post().to(lists::create))
                    .route("/api/v1/lists/{id}", web::get().to(lists::show))
                    .route("/api/v1/lists/{id}", web::put().to(lists::update))
                    .route("/api/v1/lists/{id}", web::delete().to(lists::delete))
                    .route("/api/v1/lists/{id}/accounts", web::get().to(lists::members))
                    .route("/api/v1/lists/{id}/accounts", web::post().to(lists::add_members))
                    .route("/api/v1/lists/{id}/accounts", web::delete().to(lists::remove_members))
                    .route("/api/v1/filters", web::get().to(filters::index_v1))
                    .route("/api/v1/filters", web::post().to(filters::create_v1))
                    .route("/api/v1/filters/{id}", web::get().to(filters::show_v1))
                    .route("/api/v1/filters/{id}", web::put().to(filters::update_v1))
                    .route("/api/v1/filters/{id}", web::delete().to(filters::delete_v1))
                    .route("/api/v2/filters", web::get().to(filters::index))
                    .route("/api/v2/filters", web::post().to(filters::create))
                    .route("/api/v2/filters/{id}", web::get().to(filters::show))
                    .route("/api/v2/filters/{id}", web::put().to(filters::update))
                    .route("/api/v2/filters/{id}", web::delete().to(filters::delete))
                    .route("/api/v2/filters/{id}/keywords", web::get().to(filters::keywords))
                    .route("/api/v2/filters/{id}/keywords", web::post().to(filters::add_keyword))
                    .route("/api/v2/filters/keywords/{id}", web::get().to(filters::show_keyword))
                    .route("/api/v2/filters/keywords/{id}", web::put().to(filters::update_keyword))
                    .route("/api/v2/filters/keywords/{id}", web::delete().to(filters::delete_keyword))
                    .route("/api/v2/filters/{id}/statuses", web::get().to(filters::statuses))
                    .route("/api/v2/filters/{id}/statuses", web::post().to(filters::add_status))
                    .route("/api/v2/filters/statuses/{id}", web::get().to(filters::show_status))
                    .route("/api/v2/filters/statuses/{id}", web::delete().to(filters::delete_status))
                    .route("/api/v1/blocks", web::get().to(accounts::blocked_or_muted(true)))
                    .route("/api/v1/mutes", web::get().to(accounts::blocked_or_muted(false)))
                    .route("/api/v2/suggestions", web::get().to(suggestions::v2))
                    .route("/api/v1/conversations", web::get().to(conversations::list))
                    .route("/api/v1/conversations/{id}/read", web::post().to(conversations::read))
                    .route("/api/v1/conversations/{id}", web::delete().to(conversations::delete))
                    .route("/api/v1/endorsements", web::get().to(accounts::endorsements))
                    .route("/api/v1/tertulia/groups", web::post().to(groups::create))
                    .route("/api/v1/tertulia/groups/{id}", web::get().to(groups::show))
                    .route("/api/v1/tertulia/groups/{id}/statuses/{status}", web::delete().to(groups::remove_post))
                    .route("/api/v1/tertulia/groups/{id}/events", web::get().to(events::of_group))
                    .route("/api/v1/tertulia/groups/{id}/members/{account}", web::delete().to(groups::remove_member))
                    .route("/api/v1/tertulia/groups/{id}/moderators", web::post().to(groups::add_moderator))
                    .route("/api/v1/tertulia/groups/{id}/join_requests", web::get().to(groups::join_requests))
                    .route(
                        "/api/v1/tertulia/groups/{id}/join_requests/{account}/{decision}",
                        web::post().to(groups::answer_join_request),
                    )
                    .route("/api/v1/streaming", web::get().to(streaming::websocket))
                    .route("/api/v1/streaming/", web::get().to(streaming::websocket))
                    .route("/api/v1/streaming/health", web::get().to(streaming::health))
                    .route("/api/v1/streaming/user", web::get().to(streaming::events("user")))
                    .route("/api/v1/streaming/user/notification", web::get().to(streaming::events("user:notification")))
                    .route("/api/v1/streaming/public", web::get().to(streaming::events("public")))
                    .route("/api/v1/streaming/public/local", web::get().to(streaming::events("public:local")))
                    .route("/api/v1/streaming/public/remote", web::get().to(streaming::events("public:remote")))
                    .route("/api/v1/streaming/hashtag", web::get().to(streaming::events("hashtag")))
                    .route("/api/v1/streaming/hashtag/local", web::get().to(streaming::events("hashtag:local")))
                    .route("/api/v1/streaming/list", web::get().to(streaming::events("list")))
                    .route("/api/v1/streaming/direct", web::get().to(streaming::events("direct")))
                    .route("/api/v1/tertulia/events", web::post().to(events::create))
                    .route("/api/v1/tertulia/events", web::get().to(events::list))
                    .route("/api/v1/tertulia/events/{id}", web::get().to(events::get))
                    .route("/api/v1/tertulia/events/{id}", web::put().to(events::update))
                    .route("/api/v1/tertulia/events/{id}/attendance", web::post().to(events::attend))
                    .route("/api/v1/tertulia/campaigns", web::post().to(crate::campaigns::create))
                    .route("/api/v1/tertulia/campaigns", web::get().to(crate::campaigns::list))
                    .route("/api/v1/tertulia/campaigns/{id}", web::get().to(crate::campaigns::show))
                    .route("/api/v1/tertulia/campaigns/{id}", web::put().to(crate::campaigns::update))
                    .route("/api/v1/tertulia/campaigns/{id}/close", web::post().to(crate::campaigns::close))
                    .route("/api/v1/tertulia/campaigns/{id}/reopen", web::post().to(crate::campaigns::reopen))
                    .route("/api/v1/tertulia/campaigns/{id}/ideas.csv", web::get().to(crate::campaigns::ideas_csv))
                    .route(
                        "/api/v1/tertulia/campaigns/{id}/ideas/{status}/state",
                        web::post().to(crate::campaigns::move_idea),
                    )
                    .route("/events.ics", web::get().to(events::site_feed))
                    .route(static_files::MISSING_AVATAR_PATH, web::get().to(static_files::missing_avatar))
                    .route(static_files::MISSING_HEADER_PATH, web::get().to(static_files::missing_header))
                    .default_service(web::to(not_found)),
            );
    }
}

pub(crate) async fn not_found(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!("no such endpoint: {} {}", request.method(), request.path())))
}

fn json_error(error: actix_web::error::JsonPayloadError) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    match error {
        E::Overflow { limit } | E::OverflowKnownLength { limit, .. } => {
            ApiError::PayloadTooLarge(format!("request body is larger than the {limit}-byte limit")).into()
        }
        E::ContentType => ApiError::BadRequest("expected Content-Type: application/json".into()).into(),
        other => ApiError::BadRequest(format!("invalid JSON: {other}")).into(),
    }
}

fn form_error(error: actix_web::error::UrlencodedError) -> actix_web::Error {
    use actix_web::error::UrlencodedError as E;
    match error {
        E::Overflow { limit, .. } => {
            ApiError::PayloadTooLarge(format!("request body is larger than the {limit}-byte limit")).into()
        }
        other => ApiError::BadRequest(format!("invalid form: {other}")).into(),
    }
}
