//! What other servers call: WebFinger, actors, posts, collections and
//! inboxes. Errors are answered as `{"error": "..."}` with the status a
//! remote admin can act on: 400 unreadable, 401 unsigned or badly signed,
//! 403 signed but not allowed, 404 unknown, 413 too large, 429 too many
//! (with `Retry-After`).

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde::Deserialize;
use serde_json::{Value, json};
use tertulia_core::metrics;
use tertulia_db::actors::{self, ActorRow, ActorType};
use tertulia_domain::statuses::shared;
use tertulia_domain::{AccountView, Page, accounts};

use crate::activities;
use crate::protocol::{self, ACTIVITY_JSON};
use crate::signatures::IncomingRequest;
use crate::{Federation, FederationError};

/// Items per collection page.
const PAGE_SIZE: i64 = 20;

/// Registers the federation routes.
pub fn configure(federation: Federation) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(federation))
            .route("/.well-known/webfinger", web::get().to(webfinger))
            .route("/actor", web::get().to(instance_actor))
            .route("/actor/inbox", web::post().to(inbox))
            .route("/actor/adoption", web::get().to(published_adoption))
            .route("/inbox", web::post().to(inbox))
            .route("/users/{name}", web::get().to(actor))
            .route("/users/{name}/inbox", web::post().to(inbox))
            .route("/users/{name}/outbox", web::get().to(outbox))
            .route("/users/{name}/followers", web::get().to(followers(true)))
            .route("/users/{name}/following", web::get().to(followers(false)))
            .route("/users/{name}/collections/featured", web::get().to(featured))
            .route("/users/{name}/statuses/{id}", web::get().to(note))
            .route("/quote_authorizations/{id}", web::get().to(quote_authorization));
    }
}

impl ResponseError for FederationError {
    fn status_code(&self) -> StatusCode {
        match self {
            FederationError::Signature(_) => StatusCode::UNAUTHORIZED,
            FederationError::Forbidden(_) => StatusCode::FORBIDDEN,
            FederationError::Invalid(_) => StatusCode::BAD_REQUEST,
            FederationError::NotFound(_) => StatusCode::NOT_FOUND,
            FederationError::Gone(_) => StatusCode::GONE,
            FederationError::TooManyActivities { .. } => StatusCode::TOO_MANY_REQUESTS,
            // The sender's key or actor could not be fetched: it cannot be
            // verified, which to the sender is an authentication failure.
            FederationError::Fetch(_) => StatusCode::UNAUTHORIZED,
            FederationError::Domain(tertulia_domain::DomainError::NotFound(_)) => StatusCode::NOT_FOUND,
            FederationError::Domain(_) | FederationError::Db(_) | FederationError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let message = if status.is_server_error() {
            tracing::error!(error = %self, "federation request failed");
            "internal error; the site's admin can find details in its log".to_owned()
        } else {
            self.to_string()
        };
        let mut response = HttpResponse::build(status);
        if let FederationError::TooManyActivities { retry_after_secs, .. } = self {
            response.insert_header(("retry-after", retry_after_secs.to_string()));
        }
        response.json(json!({ "error": message }))
    }
}

type Result<T> = std::result::Result<T, FederationError>;
/// What handlers built by a function return.
type Answer = std::pin::Pin<Box<dyn std::future::Future<Output = Result<HttpResponse>>>>;

fn activity_json(document: Value) -> HttpResponse {
    HttpResponse::Ok().content_type(format!("{ACTIVITY_JSON}; charset=utf-8")).json(document)
}

/// Whether the client asked for ActivityPub JSON rather than a web page.
fn wants_activity_json(request: &HttpRequest) -> bool {
    request.headers().get("accept").and_then(|v| v.to_str().ok()).is_some_and(|accept| {
        accept.contains("activity+json") || accept.contains("ld+json") || accept.contains("application/json")
    })
}

/// The request as the signature checker reads it.
fn headers_of(request: &HttpRequest) -> BTreeMap<String, String> {
    let mut headers = BTreeMap::new();
    for (name, value) in request.headers() {
        if let Ok(value) = value.to_str() {
            headers
                .entry(name.as_str().to_lowercase())
                .and_modify(|existing: &mut String| {
                    existing.push_str(", ");
                    existing.push_str(value);
                })
                .or_insert_with(|| value.to_owned());
        }
    }
    headers
}

/// The remote actor that signed a GET. With authorized fetch on, an
/// unsigned request is refused; with it off, a signature is still checked
/// when present, since it unlocks followers-only posts.
async fn signer(federation: &Federation, request: &HttpRequest) -> Result<Option<ActorRow>> {
    let signed = request.headers().contains_key("signature");
    if !signed {
        if federation.config().federation.authorized_fetch {
            return Err(crate::signatures::SignatureError::Missing.into());
        }
        return Ok(None);
    }
    Ok(Some(verified_sender(federation, request, None).await?))
}

/// The remote actor whose valid signature `request` (with `body`) carries.
async fn verified_sender(federation: &Federation, request: &HttpRequest, body: Option<&[u8]>) -> Result<ActorRow> {
    let headers = headers_of(request);
    let target = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let incoming = IncomingRequest::new(request.method().as_str(), target, &headers, body);
    federation.verify_signer(&incoming).await
}

/// `GET /actor/adoption` (extension): this site's aggregate adoption
/// counts (docs/analytics.md), for the sites that follow it as a site
/// only: a signature is required whatever `federation.authorized_fetch`
/// says, the signer's site must pass the federation policy (checked with
/// it), and the signer must be that site's actor following this one.
async fn published_adoption(federation: web::Data<Federation>, request: HttpRequest) -> Result<HttpResponse> {
    if !request.headers().contains_key("signature") {
        return Err(crate::signatures::SignatureError::Missing.into());
    }
    let signer = verified_sender(&federation, &request, None).await?;
    federation.ensure_follows_as_site(&signer).await?;
    let today = tertulia_db::now().date();
    let figures = tertulia_domain::analytics::company::own_figures(federation.ctx(), today).await?;
    Ok(HttpResponse::Ok().json(figures))
}

#[derive(Deserialize)]
struct WebfingerQuery {
    resource: String,
}

/// `GET /.well-known/webfinger?resource=acct:user@domain` (or an actor URL).
async fn webfinger(federation: web::Data<Federation>, query: web::Query<WebfingerQuery>) -> Result<HttpResponse> {
    let resource = query.resource.trim();
    let urls = federation.urls();
    let domain = &federation.config().domain;
    let username = if let Some(acct) = resource.strip_prefix("acct:") {
        let (user, host) = acct.trim_start_matches('@').split_once('@').unwrap_or((acct, domain));
        if !host.eq_ignore_ascii_case(domain) {
            return Err(FederationError::NotFound(format!("{resource} (not on this site)")));
        }
        user.to_owned()
    } else if resource == urls.instance_actor() {
        domain.clone()
    } else if let Some(user) = resource.strip_prefix(&format!("{}/users/", urls.base())) {
        user.to_owned()
    } else {
        return Err(FederationError::invalid(format!("cannot look up '{resource}': expected acct:user@{domain}")));
    };
    if username.eq_ignore_ascii_case(domain) {
        let actor = urls.instance_actor();
        return Ok(jrd(&format!("acct:{domain}@{domain}"), &actor, None));
    }
    let name = username.clone();
    let account = federation.db().run(move |conn| accounts::local_profile(conn, &name)).await?;
    let account = account
        .filter(|a| !a.suspended)
        .ok_or_else(|| FederationError::NotFound(format!("acct:{username}@{domain}")))?;
    let subject = format!("acct:{}@{domain}", account.username);
    Ok(jrd(&subject, &urls.actor(&account.username), Some(&urls.profile_page(&account.username))))
}

fn jrd(subject: &str, actor: &str, profile: Option<&str>) -> HttpResponse {
    let mut links = vec![json!({"rel": "self", "type": ACTIVITY_JSON, "href": actor})];
    if let Some(profile) = profile {
        links.push(json!({"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": profile}));
    }
    HttpResponse::Ok()
        .content_type("application/jrd+json; charset=utf-8")
        .json(json!({"subject": subject, "aliases": [actor], "links": links}))
}

/// `GET /actor`: always public, so other sites can verify our signed
/// fetches even when they require signatures themselves.
async fn instance_actor(federation: web::Data<Federation>) -> HttpResponse {
    let document = activities::instance_actor(federation.urls(), federation.config(), federation.instance_actor());
    activity_json(document)
}

/// The local account behind `/users/{name}`, with its actor row.
async fn local_account(federation: &Federation, name: &str) -> Result<(AccountView, ActorRow)> {
    let name = name.to_owned();
    let account = federation.db().run(move |conn| accounts::local_profile(conn, &name)).await?;
    let account = account.ok_or_else(|| FederationError::NotFound("account".into()))?;
    let actor = crate::keys::ensure_keypair(federation.db(), account.id.0).await?;
    if actor.actor_type == ActorType::Tombstone {
        return Err(FederationError::Gone(format!("account {}", account.username)));
    }
    if account.suspended {
        return Err(FederationError::NotFound("account".into()));
    }
    Ok((account, actor))
}

/// `GET /users/{name}`: the `Person`; browsers are sent to the profile page.
async fn actor(
    federation: web::Data<Federation>,
    request: HttpRequest,
    name: web::Path<String>,
) -> Result<HttpResponse> {
    if !wants_activity_json(&request) {
        let page = federation.urls().profile_page(&name);
        return Ok(HttpResponse::SeeOther().insert_header(("location", page)).finish());
    }
    signer(&federation, &request).await?;
    let (account, actor) = local_account(&federation, &name).await?;
    let site = account.site(federation.config());
    Ok(activity_json(activities::person(federation.urls(), &account, &actor, site)))
}

/// `GET /users/{name}/statuses/{id}`: a `Note`, if the signer may see it.
/// Site-only posts are never served; followers-only and direct posts only
/// to a signed follower or mentioned actor.
async fn note(
    federation: web::Data<Federation>,
    request: HttpRequest,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse> {
    let (name, id) = path.into_inner();
    if !wants_activity_json(&request) {
        let page = format!("{}/{id}", federation.urls().profile_page(&name));
        return Ok(HttpResponse::SeeOther().insert_header(("location", page)).finish());
    }
    let viewer = signer(&federation, &request).await?;
    let viewer_id = viewer.map(|v| v.id);
    let status = federation.db().run(move |conn| shared::one(conn, viewer_id, id)).await?;
    let document = status
        .filter(|status| status.view.account.username.eq_ignore_ascii_case(&name))
        .map(|status| activities::document(&activities::to_note(&status, federation.urls(), federation.config())));
    document.map(activity_json).ok_or_else(|| FederationError::NotFound("status".into()))
}

/// `GET /quote_authorizations/{id}`: the consent we gave to the quote
/// `id` of one of our posts, while it stands (FEP-044f).
async fn quote_authorization(
    federation: web::Data<Federation>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse> {
    signer(&federation, &request).await?;
    let (urls, id) = (federation.urls().clone(), id.into_inner());
    let document = federation.db().run(move |conn| crate::quotes::authorization(conn, &urls, id)).await?;
    document.map(activity_json).ok_or_else(|| FederationError::NotFound("quote authorization".into()))
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<u32>,
    max_id: Option<i64>,
}

/// `GET /users/{name}/followers` and `/following`: counts always; the
/// accounts page by page unless the owner hides them.
fn followers(
    incoming: bool,
) -> impl Fn(web::Data<Federation>, HttpRequest, web::Path<String>, web::Query<PageQuery>) -> Answer + Clone + 'static {
    move |federation, request, name, query| {
        Box::pin(async move {
            signer(&federation, &request).await?;
            let (account, _) = local_account(&federation, &name).await?;
            let urls = federation.urls();
            let collection =
                if incoming { urls.followers(&account.username) } else { urls.following(&account.username) };
            let total = if incoming { account.followers_count } else { account.following_count };
            let hidden = {
                let id = account.id.0;
                federation.db().run(move |conn| actors::collections_hidden(conn, id)).await?
            };
            if query.page.is_none() && query.max_id.is_none() || hidden {
                return Ok(activity_json(protocol::with_context(json!({
                    "id": collection,
                    "type": "OrderedCollection",
                    "totalItems": total,
                    "first": if hidden { Value::Null } else { json!(format!("{collection}?page=1")) },
                }))));
            }
            let page = Page { max_id: query.max_id, since_id: None, min_id: None, limit: PAGE_SIZE };
            let rows = accounts::follow_list(federation.db(), account.id, incoming, page).await?;
            let next = (rows.len() as i64 == PAGE_SIZE)
                .then(|| rows.last().map(|(key, _)| format!("{collection}?page=1&max_id={}", key.0)));
            let items: Vec<String> = rows.into_iter().map(|(_, a)| a.uri).collect();
            let page_id = match query.max_id {
                Some(max) => format!("{collection}?page=1&max_id={max}"),
                None => format!("{collection}?page=1"),
            };
            Ok(activity_json(protocol::with_context(json!({
                "id": page_id,
                "type": "OrderedCollectionPage",
                "partOf": collection,
                "totalItems": total,
                "orderedItems": items,
                "next": next.flatten(),
            }))))
        })
    }
}

/// `GET /users/{name}/outbox`: the count, and the latest public posts the
/// signer may see (none if the account blocks it, or it the account).
async fn outbox(
    federation: web::Data<Federation>,
    request: HttpRequest,
    name: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse> {
    let viewer = signer(&federation, &request).await?.map(|signer| signer.id);
    let (account, _) = local_account(&federation, &name).await?;
    let collection = federation.urls().outbox(&account.username);
    if query.page.is_none() {
        return Ok(activity_json(protocol::with_context(json!({
            "id": collection,
            "type": "OrderedCollection",
            "totalItems": account.statuses_count,
            "first": format!("{collection}?page=1"),
        }))));
    }
    let page = Page { max_id: query.max_id, since_id: None, min_id: None, limit: PAGE_SIZE };
    let id = account.id.0;
    let statuses = federation.db().run(move |conn| shared::outbox_page(conn, viewer, id, page)).await?;
    let items: Vec<Value> = statuses
        .iter()
        .map(|status| activities::create_item(&activities::to_note(status, federation.urls(), federation.config())))
        .collect();
    Ok(activity_json(protocol::with_context(json!({
        "id": format!("{collection}?page=1"),
        "type": "OrderedCollectionPage",
        "partOf": collection,
        "orderedItems": items,
    }))))
}

/// `GET /users/{name}/collections/featured`: pinned public posts, by the
/// same rule as the outbox.
async fn featured(
    federation: web::Data<Federation>,
    request: HttpRequest,
    name: web::Path<String>,
) -> Result<HttpResponse> {
    let viewer = signer(&federation, &request).await?.map(|signer| signer.id);
    let (account, _) = local_account(&federation, &name).await?;
    let id = account.id.0;
    let statuses = federation.db().run(move |conn| shared::featured(conn, viewer, id)).await?;
    let items: Vec<activities::Note> =
        statuses.iter().map(|status| activities::to_note(status, federation.urls(), federation.config())).collect();
    Ok(activity_json(protocol::with_context(json!({
        "id": federation.urls().featured(&account.username),
        "type": "OrderedCollection",
        "totalItems": items.len(),
        "orderedItems": items,
    }))))
}

/// `POST /inbox`, `/users/{name}/inbox`, `/actor/inbox`: verify, store,
/// answer 202; the inbox worker applies it. Counted in the metrics as
/// accepted, or rejected by reason.
async fn inbox(federation: web::Data<Federation>, request: HttpRequest, body: web::Bytes) -> Result<HttpResponse> {
    let received = receive(&federation, &request, &body).await;
    match &received {
        Ok(()) => metrics::inbox_accepted(),
        Err(error) => metrics::inbox_rejected(error.reason()),
    }
    received.map(|()| HttpResponse::Accepted().finish())
}

async fn receive(federation: &Federation, request: &HttpRequest, body: &[u8]) -> Result<()> {
    if !federation.config().federation.enabled {
        return Err(FederationError::Forbidden("federation is switched off on this site".into()));
    }
    let activity = protocol::parse_activity(body)?;
    let signer = verified_sender(federation, request, Some(body)).await?;
    federation.count_activity_from(&signer)?;
    if let Err(refused) = crate::inbox::check_sender(&activity, &signer) {
        // A relay forwards others' activities; each is checked against
        // its origin when applied.
        if federation.relay_signing(&signer).await?.is_none() {
            return Err(refused);
        }
    }
    federation.accept_activity(&activity, &signer).await?;
    Ok(())
}
