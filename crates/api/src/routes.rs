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
            // What the scopes below answer for a path of theirs that no
            // route takes (a nested scope falls back to the app's, not to
            // its parent's).
            .default_service(web::to(not_found))
            .service(
                web::scope("")
                    .wrap(actix_web::middleware::from_fn(rate_limit::rate_limit))
                    .wrap(crate::cors::CrossOrigin)
                    .wrap(actix_web::middleware::from_fn(crate::tidy_path::tidy_path))
                    .wrap(actix_web::middleware::from_fn(request_log::request_log))
                    .service(web::scope("/api").configure(client_api))
                    // Before `/@{name}/{id}`, which would take it.
                    .route("/@{name}/events.ics", web::get().to(events::person_feed))
                    .configure(crate::public_pages::person_routes)
                    .configure(server_to_server)
                    .configure(metrics::configure_main(metrics_here))
                    .route(HEALTH, web::get().to(health::healthz))
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
                    .route(MEDIA_FILES, web::get().to(media::serve))
                    .route("/events.ics", web::get().to(events::site_feed))
                    .route(static_files::MISSING_AVATAR_PATH, web::get().to(static_files::missing_avatar))
                    .route(static_files::MISSING_HEADER_PATH, web::get().to(static_files::missing_header))
                    .default_service(web::to(not_found)),
            );
    }
}

/// The Mastodon client API and Tertulia's own (`/api/v1/tertulia`), before
/// every other route and in groups by prefix: the router, and the rate limit
/// and CORS lookups of a request's route, compare one prefix per group
/// instead of trying every route's pattern in turn (docs/benchmarks.md,
/// "Routing"). Within a group, fixed paths come before the `{id}` paths that
/// would take them.
fn client_api(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/v1/timelines")
            .route("/home", web::get().to(timelines::home))
            .route("/public", web::get().to(timelines::public))
            .route("/tag/{tag}", web::get().to(timelines::hashtag))
            .route("/list/{id}", web::get().to(lists::timeline)),
    )
    .service(
        web::scope("/v1/notifications")
            .route("", web::get().to(notifications::list))
            .route("/unread_count", web::get().to(notifications::unread_count(false)))
            .route("/clear", web::post().to(notifications::clear))
            .route("/policy", web::get().to(notification_requests::get_policy(false)))
            .route("/policy", web::patch().to(notification_requests::update_policy(false)))
            .route("/requests", web::get().to(notification_requests::list))
            .route("/requests/merged", web::get().to(notification_requests::merged))
            .route("/requests/accept", web::post().to(notification_requests::settle_many(true)))
            .route("/requests/dismiss", web::post().to(notification_requests::settle_many(false)))
            .route("/requests/{id}", web::get().to(notification_requests::get))
            .route("/requests/{id}/accept", web::post().to(notification_requests::settle_one(true)))
            .route("/requests/{id}/dismiss", web::post().to(notification_requests::settle_one(false)))
            .route("/{id}", web::get().to(notifications::get))
            .route("/{id}/dismiss", web::post().to(notifications::dismiss)),
    )
    .service(
        web::scope("/v2/notifications")
            .route("", web::get().to(notifications::list_grouped))
            .route("/unread_count", web::get().to(notifications::unread_count(true)))
            .route("/policy", web::get().to(notification_requests::get_policy(true)))
            .route("/policy", web::patch().to(notification_requests::update_policy(true)))
            .route("/{group_key}", web::get().to(notifications::get_group))
            .route("/{group_key}/accounts", web::get().to(notifications::group_accounts))
            .route("/{group_key}/dismiss", web::post().to(notifications::dismiss_group)),
    )
    .service(
        web::scope("/v1/statuses")
            .route("", web::get().to(statuses::many))
            .route("", web::post().to(statuses::create))
            .route("/{id}", web::get().to(statuses::get))
            .route("/{id}", web::put().to(statuses::update))
            .route("/{id}", web::delete().to(statuses::delete))
            .route("/{id}/history", web::get().to(statuses::history))
            .route("/{id}/source", web::get().to(statuses::source))
            .route("/{id}/favourited_by", web::get().to(statuses::reacted_by(true)))
            .route("/{id}/reblogged_by", web::get().to(statuses::reacted_by(false)))
            .route("/{id}/context", web::get().to(statuses::context))
            .route("/{id}/quotes", web::get().to(statuses::quotes))
            .route("/{id}/quotes/{quoting_status_id}/revoke", web::post().to(statuses::revoke_quote))
            .route("/{id}/interaction_policy", web::put().to(statuses::interaction_policy))
            .route("/{id}/favourite", web::post().to(statuses::act(Action::Favourite)))
            .route("/{id}/unfavourite", web::post().to(statuses::act(Action::Unfavourite)))
            .route("/{id}/bookmark", web::post().to(statuses::act(Action::Bookmark)))
            .route("/{id}/unbookmark", web::post().to(statuses::act(Action::Unbookmark)))
            .route("/{id}/reblog", web::post().to(statuses::act(Action::Reblog)))
            .route("/{id}/unreblog", web::post().to(statuses::act(Action::Unreblog)))
            .route("/{id}/pin", web::post().to(statuses::act(Action::Pin)))
            .route("/{id}/unpin", web::post().to(statuses::act(Action::Unpin)))
            .route("/{id}/mute", web::post().to(statuses::act(Action::Mute)))
            .route("/{id}/unmute", web::post().to(statuses::act(Action::Unmute))),
    )
    .service(
        web::scope("/v1/accounts")
            .route("/verify_credentials", web::get().to(accounts::verify_credentials))
            .route("", web::post().to(accounts::register))
            .route("/update_credentials", web::patch().to(accounts::update_credentials))
            .route("/relationships", web::get().to(accounts::relationships))
            .route("/familiar_followers", web::get().to(accounts::familiar_followers))
            .route("/lookup", web::get().to(accounts::lookup))
            .route("/search", web::get().to(search::accounts))
            .route("", web::get().to(accounts::many))
            .route("/{id}/featured_tags", web::get().to(featured_tags::of_account))
            .route("/{id}/note", web::post().to(accounts::note))
            .route("/{id}/pin", web::post().to(accounts::endorse(true)))
            .route("/{id}/endorse", web::post().to(accounts::endorse(true)))
            .route("/{id}/unpin", web::post().to(accounts::endorse(false)))
            .route("/{id}/unendorse", web::post().to(accounts::endorse(false)))
            .route("/{id}/endorsements", web::get().to(accounts::account_endorsements))
            .route("/{id}/remove_from_followers", web::post().to(accounts::remove_from_followers))
            .route("/{id}", web::get().to(accounts::get))
            .route("/{id}/statuses", web::get().to(accounts::statuses))
            .route("/{id}/followers", web::get().to(accounts::follow_list(true)))
            .route("/{id}/following", web::get().to(accounts::follow_list(false)))
            .route("/{id}/lists", web::get().to(lists::containing))
            .route("/{id}/follow", web::post().to(accounts::follow))
            .route("/{id}/unfollow", web::post().to(accounts::unfollow))
            .route("/{id}/block", web::post().to(accounts::block))
            .route("/{id}/unblock", web::post().to(accounts::unblock))
            .route("/{id}/mute", web::post().to(accounts::mute))
            .route("/{id}/unmute", web::post().to(accounts::unmute)),
    )
    .service(
        web::scope("/v1/streaming")
            .route("", web::get().to(streaming::websocket))
            .route("/", web::get().to(streaming::websocket))
            .route("/health", web::get().to(streaming::health))
            .route("/user", web::get().to(streaming::events("user")))
            .route("/user/notification", web::get().to(streaming::events("user:notification")))
            .route("/public", web::get().to(streaming::events("public")))
            .route("/public/local", web::get().to(streaming::events("public:local")))
            .route("/public/remote", web::get().to(streaming::events("public:remote")))
            .route("/hashtag", web::get().to(streaming::events("hashtag")))
            .route("/hashtag/local", web::get().to(streaming::events("hashtag:local")))
            .route("/list", web::get().to(streaming::events("list")))
            .route("/direct", web::get().to(streaming::events("direct"))),
    )
    .service(
        web::scope("/v1/admin")
            .route("/announcements", web::get().to(admin::announcements::index))
            .route("/announcements", web::post().to(admin::announcements::create))
            .route("/announcements/{id}", web::get().to(admin::announcements::show))
            .route("/announcements/{id}", web::put().to(admin::announcements::update))
            .route("/announcements/{id}", web::delete().to(admin::announcements::delete))
            .route("/announcements/{id}/publish", web::post().to(admin::announcements::publish))
            .route("/announcements/{id}/unpublish", web::post().to(admin::announcements::unpublish))
            .route("/domain_allows", web::get().to(admin::domain_allows::index))
            .route("/domain_allows", web::post().to(admin::domain_allows::create))
            .route("/domain_allows/{id}", web::get().to(admin::domain_allows::show))
            .route("/domain_allows/{id}", web::delete().to(admin::domain_allows::delete))
            .route("/trends/tags", web::get().to(admin::trends::tags))
            .route("/trends/tags/{id}/approve", web::post().to(admin::trends::review_tag(true)))
            .route("/trends/tags/{id}/reject", web::post().to(admin::trends::review_tag(false)))
            .route("/trends/statuses", web::get().to(admin::trends::statuses))
            .route("/trends/statuses/{id}/approve", web::post().to(admin::trends::review_status(true)))
            .route("/trends/statuses/{id}/reject", web::post().to(admin::trends::review_status(false)))
            .route("/trends/links", web::get().to(admin::trends::links))
            .route("/email_domain_blocks", web::get().to(admin::email_domain_blocks::index))
            .route("/email_domain_blocks", web::post().to(admin::email_domain_blocks::create))
            .route("/email_domain_blocks/{id}", web::get().to(admin::email_domain_blocks::show))
            .route("/email_domain_blocks/{id}", web::delete().to(admin::email_domain_blocks::delete))
            .route("/canonical_email_blocks/test", web::post().to(admin::canonical_email_blocks::test))
            .route("/canonical_email_blocks", web::get().to(admin::canonical_email_blocks::index))
            .route("/canonical_email_blocks", web::post().to(admin::canonical_email_blocks::create))
            .route("/canonical_email_blocks/{id}", web::get().to(admin::canonical_email_blocks::show))
            .route("/canonical_email_blocks/{id}", web::delete().to(admin::canonical_email_blocks::delete))
            .route("/ip_blocks", web::get().to(admin::ip_blocks::index))
            .route("/ip_blocks", web::post().to(admin::ip_blocks::create))
            .route("/ip_blocks/{id}", web::get().to(admin::ip_blocks::show))
            .route("/ip_blocks/{id}", web::put().to(admin::ip_blocks::update))
            .route("/ip_blocks/{id}", web::delete().to(admin::ip_blocks::delete))
            .route("/domain_blocks", web::get().to(admin::domain_blocks::index))
            .route("/domain_blocks", web::post().to(admin::domain_blocks::create))
            .route("/domain_blocks/{id}", web::get().to(admin::domain_blocks::show))
            .route("/domain_blocks/{id}", web::put().to(admin::domain_blocks::update))
            .route("/domain_blocks/{id}", web::delete().to(admin::domain_blocks::delete))
            .route("/accounts", web::get().to(admin::accounts::index_v1))
            .route("/accounts/{id}", web::get().to(admin::accounts::show))
            .route("/accounts/{id}", web::delete().to(admin::accounts::delete))
            .route("/accounts/{id}/action", web::post().to(admin::accounts::action))
            .route("/accounts/{id}/approve", web::post().to(admin::accounts::approve))
            .route("/accounts/{id}/reject", web::post().to(admin::accounts::reject))
            .route("/accounts/{id}/enable", web::post().to(admin::accounts::enable))
            .route("/accounts/{id}/unsilence", web::post().to(admin::accounts::unsilence))
            .route("/accounts/{id}/unsuspend", web::post().to(admin::accounts::unsuspend))
            .route("/accounts/{id}/unsensitive", web::post().to(admin::accounts::unsensitive))
            .route("/audit_log", web::get().to(admin::audit_log::index))
            .route("/reports", web::get().to(admin::reports::index))
            .route("/reports/{id}", web::get().to(admin::reports::show))
            .route("/reports/{id}", web::put().to(admin::reports::update))
            .route("/reports/{id}/assign_to_self", web::post().to(admin::reports::assign_to_self))
            .route("/reports/{id}/unassign", web::post().to(admin::reports::unassign))
            .route("/reports/{id}/resolve", web::post().to(admin::reports::resolve))
            .route("/reports/{id}/reopen", web::post().to(admin::reports::reopen))
            .route("/measures", web::post().to(admin::analytics::measures))
            .route("/dimensions", web::post().to(admin::analytics::dimensions))
            .route("/retention", web::post().to(admin::analytics::retention))
            .route("/adoption", web::get().to(admin::analytics::adoption))
            .route("/adoption/sites", web::get().to(admin::company_adoption::sites)),
    )
    .service(web::scope("/v2/admin").route("/accounts", web::get().to(admin::accounts::index_v2)))
    .service(
        web::scope("/v1/tertulia")
            .route("/accounts/{id}/kudos", web::get().to(crate::kudos::received))
            .route("/groups", web::post().to(groups::create))
            .route("/groups/{id}", web::get().to(groups::show))
            .route("/groups/{id}/statuses/{status}", web::delete().to(groups::remove_post))
            .route("/groups/{id}/events", web::get().to(events::of_group))
            .route("/groups/{id}/members/{account}", web::delete().to(groups::remove_member))
            .route("/groups/{id}/moderators", web::post().to(groups::add_moderator))
            .route("/groups/{id}/join_requests", web::get().to(groups::join_requests))
            .route("/groups/{id}/join_requests/{account}/{decision}", web::post().to(groups::answer_join_request))
            .route("/events", web::post().to(events::create))
            .route("/events", web::get().to(events::list))
            .route("/events/{id}", web::get().to(events::get))
            .route("/events/{id}", web::put().to(events::update))
            .route("/events/{id}/attendance", web::post().to(events::attend))
            .route("/campaigns", web::post().to(crate::campaigns::create))
            .route("/campaigns", web::get().to(crate::campaigns::list))
            .route("/campaigns/{id}", web::get().to(crate::campaigns::show))
            .route("/campaigns/{id}", web::put().to(crate::campaigns::update))
            .route("/campaigns/{id}/close", web::post().to(crate::campaigns::close))
            .route("/campaigns/{id}/reopen", web::post().to(crate::campaigns::reopen))
            .route("/campaigns/{id}/ideas.csv", web::get().to(crate::campaigns::ideas_csv))
            .route("/campaigns/{id}/ideas/{status}/state", web::post().to(crate::campaigns::move_idea)),
    )
    .service(
        web::scope("/v1/filters")
            .route("", web::get().to(filters::index_v1))
            .route("", web::post().to(filters::create_v1))
            .route("/{id}", web::get().to(filters::show_v1))
            .route("/{id}", web::put().to(filters::update_v1))
            .route("/{id}", web::delete().to(filters::delete_v1)),
    )
    .service(
        web::scope("/v2/filters")
            .route("", web::get().to(filters::index))
            .route("", web::post().to(filters::create))
            .route("/{id}", web::get().to(filters::show))
            .route("/{id}", web::put().to(filters::update))
            .route("/{id}", web::delete().to(filters::delete))
            .route("/{id}/keywords", web::get().to(filters::keywords))
            .route("/{id}/keywords", web::post().to(filters::add_keyword))
            .route("/keywords/{id}", web::get().to(filters::show_keyword))
            .route("/keywords/{id}", web::put().to(filters::update_keyword))
            .route("/keywords/{id}", web::delete().to(filters::delete_keyword))
            .route("/{id}/statuses", web::get().to(filters::statuses))
            .route("/{id}/statuses", web::post().to(filters::add_status))
            .route("/statuses/{id}", web::get().to(filters::show_status))
            .route("/statuses/{id}", web::delete().to(filters::delete_status)),
    )
    .service(
        web::scope("/v1/lists")
            .route("", web::get().to(lists::index))
            .route("", web::post().to(lists::create))
            .route("/{id}", web::get().to(lists::show))
            .route("/{id}", web::put().to(lists::update))
            .route("/{id}", web::delete().to(lists::delete))
            .route("/{id}/accounts", web::get().to(lists::members))
            .route("/{id}/accounts", web::post().to(lists::add_members))
            .route("/{id}/accounts", web::delete().to(lists::remove_members)),
    )
    .service(
        web::scope("/v1/instance")
            .route("", web::get().to(instance::v1))
            .route("/activity", web::get().to(instance_pages::activity))
            .route("/privacy_policy", web::get().to(instance_pages::privacy_policy))
            .route("/terms_of_service", web::get().to(instance_pages::terms_of_service))
            .route("/languages", web::get().to(instance_pages::languages))
            .route("/translation_languages", web::get().to(instance_pages::translation_languages))
            .route("/extended_description", web::get().to(startup::extended_description))
            .route("/peers", web::get().to(instance_policy::peers))
            .route("/domain_blocks", web::get().to(instance_policy::domain_blocks))
            .route("/rules", web::get().to(instance::rules_list)),
    )
    .route("/v2/instance", web::get().to(instance::v2))
    .route("/v1/apps", web::post().to(oauth::apps::create))
    .route("/v1/apps/verify_credentials", web::get().to(oauth::apps::verify_credentials))
    .route("/v2/search", web::get().to(search::v2))
    .route("/v1/announcements", web::get().to(announcements::index))
    .route("/v1/announcements/{id}/dismiss", web::post().to(announcements::dismiss))
    .route("/v1/announcements/{id}/reactions/{name}", web::put().to(announcements::react(true)))
    .route("/v1/announcements/{id}/reactions/{name}", web::delete().to(announcements::react(false)))
    .route("/v1/tags/{name}", web::get().to(tags::get))
    .route("/v1/tags/{name}/follow", web::post().to(tags::follow(true)))
    .route("/v1/tags/{name}/unfollow", web::post().to(tags::follow(false)))
    .route("/v1/followed_tags", web::get().to(tags::followed))
    .route("/v1/tags/{name}/feature", web::post().to(featured_tags::feature(true)))
    .route("/v1/tags/{name}/unfeature", web::post().to(featured_tags::feature(false)))
    .route("/v1/featured_tags", web::get().to(featured_tags::index))
    .route("/v1/featured_tags", web::post().to(featured_tags::create))
    .route("/v1/featured_tags/suggestions", web::get().to(featured_tags::suggestions))
    .route("/v1/featured_tags/{id}", web::delete().to(featured_tags::delete))
    .route("/v1/reports", web::post().to(reports::create))
    .route("/v1/domain_blocks", web::get().to(domain_blocks::index))
    .route("/v1/domain_blocks", web::post().to(domain_blocks::create))
    .route("/v1/domain_blocks", web::delete().to(domain_blocks::delete))
    .route("/v1/profile", web::get().to(profile::show))
    .route("/v1/profile", web::patch().to(profile::update))
    .route("/v1/profile/avatar", web::delete().to(profile::remove_image(ProfileImage::Avatar)))
    .route("/v1/profile/header", web::delete().to(profile::remove_image(ProfileImage::Header)))
    .route("/v1/emails/confirmations", web::post().to(profile::resend_confirmation))
    .route("/v1/suggestions", web::get().to(suggestions::v1))
    .route("/v1/suggestions/{id}", web::delete().to(suggestions::dismiss))
    .route("/v1/directory", web::get().to(directory::list))
    .route("/v1/follow_requests", web::get().to(accounts::follow_requests))
    .route("/v1/follow_requests/{id}/{decision}", web::post().to(accounts::answer_follow_request))
    .route("/v1/scheduled_statuses", web::get().to(crate::scheduled::list))
    .route("/v1/scheduled_statuses/{id}", web::get().to(crate::scheduled::get))
    .route("/v1/scheduled_statuses/{id}", web::put().to(crate::scheduled::update))
    .route("/v1/scheduled_statuses/{id}", web::delete().to(crate::scheduled::cancel))
    .route("/v1/polls/{id}", web::get().to(polls::get))
    .route("/v1/polls/{id}/votes", web::post().to(polls::vote))
    .route("/v1/media", web::post().to(media::upload))
    .route("/v2/media", web::post().to(media::upload))
    .route("/v1/media/{id}", web::get().to(media::get))
    .route("/v1/media/{id}", web::put().to(media::update))
    .route("/v1/media/{id}", web::delete().to(media::delete))
    .route("/v1/markers", web::get().to(markers::get))
    .route("/v1/markers", web::post().to(markers::save))
    .route("/v1/bookmarks", web::get().to(startup::saved(true)))
    .route("/v1/favourites", web::get().to(startup::saved(false)))
    .route("/v1/preferences", web::get().to(startup::preferences))
    .route("/v1/custom_emojis", web::get().to(startup::custom_emojis))
    .route("/v1/push/subscription", web::get().to(push::show))
    .route("/v1/push/subscription", web::post().to(push::create))
    .route("/v1/push/subscription", web::put().to(push::update))
    .route("/v1/push/subscription", web::delete().to(push::delete))
    .route("/v1/trends", web::get().to(tags::trending_tags))
    .route("/v1/trends/tags", web::get().to(tags::trending_tags))
    .route("/v1/trends/statuses", web::get().to(tags::trending_statuses))
    .route("/v1/trends/links", web::get().to(startup::public_empty_list))
    .route("/v1/blocks", web::get().to(accounts::blocked_or_muted(true)))
    .route("/v1/mutes", web::get().to(accounts::blocked_or_muted(false)))
    .route("/v2/suggestions", web::get().to(suggestions::v2))
    .route("/v1/conversations", web::get().to(conversations::list))
    .route("/v1/conversations/{id}/read", web::post().to(conversations::read))
    .route("/v1/conversations/{id}", web::delete().to(conversations::delete))
    .route("/v1/endorsements", web::get().to(accounts::endorsements));
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
