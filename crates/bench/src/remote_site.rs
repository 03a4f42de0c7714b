//! A stand-in for another site, on a loopback port inside the bench: it
//! publishes actors (so a server can fetch their keys) and accepts
//! deliveries to any path, counting them. It checks only that each
//! delivery is signed; verifying is the receiving server's cost, measured
//! by the inbox scenario.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::json;

use crate::BenchError;

/// Deliveries received, signed and not.
#[derive(Default)]
pub struct Received {
    pub signed: AtomicU64,
    pub unsigned: AtomicU64,
}

/// A running stand-in site, stopped when dropped.
pub struct RemoteSite {
    pub port: u16,
    pub received: Arc<Received>,
    server: ServerHandle,
}

struct SiteState {
    base: String,
    /// Username and public key (PEM) of each published actor.
    actors: Vec<(String, String)>,
    received: Arc<Received>,
}

impl RemoteSite {
    /// Starts the site with `actors` (username, public key PEM).
    pub fn start(actors: Vec<(String, String)>) -> Result<RemoteSite, BenchError> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| BenchError::Usage(e.to_string()))?;
        let port = listener.local_addr().map_err(|e| BenchError::Usage(e.to_string()))?.port();
        let received = Arc::new(Received::default());
        let state =
            web::Data::new(SiteState { base: format!("http://localhost:{port}"), actors, received: received.clone() });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .route("/users/{name}", web::get().to(actor))
                .default_service(web::post().to(deliver))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .map_err(|e| BenchError::Usage(format!("cannot start a stand-in site: {e}")))?
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(RemoteSite { port, received, server: handle })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }

    pub fn domain(&self) -> String {
        format!("localhost:{}", self.port)
    }

    /// Deliveries received so far (signed and not).
    pub fn deliveries(&self) -> (u64, u64) {
        (self.received.signed.load(Ordering::Relaxed), self.received.unsigned.load(Ordering::Relaxed))
    }
}

impl Drop for RemoteSite {
    fn drop(&mut self) {
        let server = self.server.clone();
        tokio::spawn(async move { server.stop(false).await });
    }
}

async fn actor(state: web::Data<SiteState>, name: web::Path<String>) -> HttpResponse {
    let Some((username, public_pem)) = state.actors.iter().find(|(username, _)| *username == *name) else {
        return HttpResponse::NotFound().finish();
    };
    let id = format!("{}/users/{username}", state.base);
    HttpResponse::Ok().content_type("application/activity+json").json(json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": id,
        "type": "Person",
        "preferredUsername": username,
        "inbox": format!("{id}/inbox"),
        "outbox": format!("{id}/outbox"),
        "followers": format!("{id}/followers"),
        "endpoints": {"sharedInbox": format!("{}/inbox", state.base)},
        "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": public_pem},
    }))
}

async fn deliver(state: web::Data<SiteState>, request: HttpRequest, _body: web::Bytes) -> HttpResponse {
    let counter =
        if request.headers().contains_key("signature") { &state.received.signed } else { &state.received.unsigned };
    counter.fetch_add(1, Ordering::Relaxed);
    HttpResponse::Accepted().finish()
}
