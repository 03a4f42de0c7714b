//! Discovery documents: NodeInfo (nodeinfo.diaspora.software, schema 2.0
//! and 2.1) and host-meta (RFC 6415), read by clients and other servers to
//! learn what software runs here.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::{ApiError, AppState};

const NODEINFO_CONTENT_TYPE: &str = "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"";

/// `GET /.well-known/nodeinfo`: where the NodeInfo documents are.
pub async fn well_known(state: web::Data<AppState>) -> HttpResponse {
    let base = state.ctx.config.base_url();
    HttpResponse::Ok().json(json!({
        "links": [
            {
                "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                "href": format!("{base}/nodeinfo/2.1"),
            },
            {
                "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
                "href": format!("{base}/nodeinfo/2.0"),
            },
        ]
    }))
}

/// `GET /nodeinfo/{2.0|2.1}`.
pub async fn document(state: web::Data<AppState>, version: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let version = version.into_inner();
    if version != "2.0" && version != "2.1" {
        return Err(ApiError::NotFound(format!("NodeInfo version {version} is not served; use 2.1 or 2.0")));
    }
    let info = tertulia_domain::instance::info(&state.ctx).await?;
    let mut software = json!({
        "name": "tertulia",
        "version": env!("CARGO_PKG_VERSION"),
    });
    if version == "2.1" {
        software["repository"] = json!(crate::instance::SOURCE_URL);
    }
    let mut body = json!({
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": [] },
        "openRegistrations": state.ctx.config.instance.registrations_open,
        "usage": {
            "users": {
                "total": info.stats.users,
                "activeMonth": info.stats.active_month,
                "activeHalfyear": info.stats.active_half_year,
            },
            "localPosts": info.stats.local_statuses,
        },
        "metadata": {
            "nodeName": state.ctx.config.instance.title,
            "nodeDescription": state.ctx.config.instance.description,
        },
    });
    if state.ctx.config.site.is_published() {
        // `metadata` is free-form: which of the company's sites this is.
        body["metadata"]["site"] = json!(state.ctx.config.site);
    }
    let content_type = NODEINFO_CONTENT_TYPE.replace("2.1", &version);
    Ok(HttpResponse::Ok().content_type(content_type).body(body.to_string()))
}

/// `GET /.well-known/host-meta`: the WebFinger template, for older
/// software that discovers WebFinger this way.
pub async fn host_meta(state: web::Data<AppState>) -> HttpResponse {
    let base = state.ctx.config.base_url();
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
         <Link rel=\"lrdd\" template=\"{base}/.well-known/webfinger?resource={{uri}}\"/>\n\
         </XRD>\n"
    );
    HttpResponse::Ok().content_type("application/xrd+xml; charset=utf-8").body(body)
}
