//! A stand-in for another site: a small HTTP server on a loopback port that
//! answers GETs with the documents a test gives it (or with redirects),
//! accepts every POST, and counts what it was asked. Tests use it where a
//! real Tertulia cannot play the part: a site that misbehaves on purpose, or
//! one whose requests must be counted.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;

/// A running stand-in site, stopped when dropped. Its domain is
/// `localhost:<port>`, like a [`TestInstance`](crate::TestInstance)'s, so
/// the server under test needs `federation.allow_private_addresses`.
pub struct StandInSite {
    pub domain: String,
    pub base_url: String,
    state: Arc<Mutex<SiteState>>,
    server: ServerHandle,
}

#[derive(Default)]
struct SiteState {
    /// What a GET of each path gets.
    answers: HashMap<String, Answer>,
    /// GETs received, by path (answered or not).
    gets: HashMap<String, usize>,
    /// POSTs received: the path and the body (JSON, or a string if not).
    posts: Vec<(String, Value)>,
}

#[derive(Clone)]
enum Answer {
    Document(Value),
    Redirect(String),
}

impl StandInSite {
    /// Starts an empty site: every GET is 404 until [`serve`](Self::serve)
    /// or [`redirect`](Self::redirect) says otherwise.
    pub fn start() -> StandInSite {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let port = listener.local_addr().expect("local address").port();
        let state = Arc::new(Mutex::new(SiteState::default()));
        let shared = web::Data::from(state.clone());
        let server = HttpServer::new(move || App::new().app_data(shared.clone()).default_service(web::to(answer)))
            .workers(1)
            .disable_signals()
            .listen(listener)
            .expect("start a stand-in site")
            .run();
        let handle = server.handle();
        tokio::spawn(server);
        StandInSite {
            domain: format!("localhost:{port}"),
            base_url: format!("http://localhost:{port}"),
            state,
            server: handle,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// GETs of `path` (the query string aside) answer `document`, as
    /// `application/activity+json`.
    pub fn serve(&self, path: &str, document: Value) {
        self.state.lock().unwrap().answers.insert(path.to_owned(), Answer::Document(document));
    }

    /// GETs of `path` answer 302 to `location`.
    pub fn redirect(&self, path: &str, location: &str) {
        self.state.lock().unwrap().answers.insert(path.to_owned(), Answer::Redirect(location.to_owned()));
    }

    /// How many GETs of `path` arrived so far.
    pub fn gets(&self, path: &str) -> usize {
        self.state.lock().unwrap().gets.get(path).copied().unwrap_or(0)
    }

    /// How many GETs arrived so far, for any path.
    pub fn all_gets(&self) -> usize {
        self.state.lock().unwrap().gets.values().sum()
    }

    /// The bodies POSTed so far, with the path each went to.
    pub fn posts(&self) -> Vec<(String, Value)> {
        self.state.lock().unwrap().posts.clone()
    }
}

impl Drop for StandInSite {
    fn drop(&mut self) {
        let server = self.server.clone();
        tokio::spawn(async move { server.stop(false).await });
    }
}

async fn answer(state: web::Data<Mutex<SiteState>>, request: HttpRequest, body: web::Bytes) -> HttpResponse {
    let path = request.path().to_owned();
    let mut state = state.lock().unwrap();
    if request.method() == actix_web::http::Method::POST {
        let body =
            serde_json::from_slice(&body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into()));
        state.posts.push((path, body));
        return HttpResponse::Accepted().finish();
    }
    *state.gets.entry(path.clone()).or_default() += 1;
    match state.answers.get(&path).cloned() {
        Some(Answer::Document(document)) => HttpResponse::Ok().content_type("application/activity+json").json(document),
        Some(Answer::Redirect(location)) => HttpResponse::Found().insert_header(("location", location)).finish(),
        None => HttpResponse::NotFound().finish(),
    }
}
