//! Several `tertulia serve` processes on one PostgreSQL database behind a
//! round-robin TCP proxy, as IT runs them behind a load balancer.

use std::net::TcpListener as StdListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::{Backend, TestDatabase, TestInstance};

/// A TCP proxy on a loopback port handing each new connection to the next
/// backend in turn, skipping backends that refuse (a killed process).
/// Stopped when dropped.
pub struct RoundRobinProxy {
    pub port: u16,
    backends: Arc<Mutex<Vec<u16>>>,
    accepting: JoinHandle<()>,
}

impl RoundRobinProxy {
    /// Starts with no backends: connections are closed until
    /// [`set_backends`](Self::set_backends).
    pub fn start() -> RoundRobinProxy {
        let listener = StdListener::bind("127.0.0.1:0").expect("bind a free port");
        let port = listener.local_addr().expect("local address").port();
        listener.set_nonblocking(true).expect("non-blocking listener");
        let listener = TcpListener::from_std(listener).expect("tokio listener");
        let backends = Arc::new(Mutex::new(Vec::new()));
        let accepting = tokio::spawn(accept(listener, backends.clone()));
        RoundRobinProxy { port, backends, accepting }
    }

    /// The loopback ports connections go to, in turn.
    pub fn set_backends(&self, ports: &[u16]) {
        *self.backends.lock().unwrap() = ports.to_vec();
    }
}

impl Drop for RoundRobinProxy {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

async fn accept(listener: TcpListener, backends: Arc<Mutex<Vec<u16>>>) {
    let turn = AtomicUsize::new(0);
    while let Ok((mut client, _)) = listener.accept().await {
        let ports = backends.lock().unwrap().clone();
        let first = turn.fetch_add(1, Ordering::Relaxed);
        for attempt in 0..ports.len() {
            let port = ports[(first + attempt) % ports.len()];
            if let Ok(mut backend) = TcpStream::connect(("127.0.0.1", port)).await {
                tokio::spawn(async move {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut backend).await;
                });
                break;
            }
        }
    }
}

/// `size` processes of `binary serve` on one fresh PostgreSQL database,
/// all with the proxy's domain (`localhost:<proxy port>`), so they are one
/// site. Each member is a [`TestInstance`] reachable directly as well.
pub struct TestCluster {
    pub proxy: RoundRobinProxy,
    pub members: Vec<TestInstance>,
}

impl TestCluster {
    /// Starts the members one after another (the first migrates), with extra
    /// `TERTULIA_*` settings.
    pub async fn start(binary: &str, size: usize, env: &[(&str, &str)]) -> TestCluster {
        let proxy = RoundRobinProxy::start();
        let domain = format!("localhost:{}", proxy.port);
        let mut env = env.to_vec();
        env.push(("TERTULIA_DOMAIN", &domain));
        // The first member owns the database; the others have aliases.
        let owner = TestDatabase::create_on(Backend::Postgres);
        let mut databases: Vec<TestDatabase> = (1..size).map(|_| owner.alias()).collect();
        databases.insert(0, owner);
        let mut members = Vec::new();
        for db in databases {
            let mut member = TestInstance::start_on(binary, db, &env).await;
            member.domain = domain.clone();
            members.push(member);
        }
        proxy.set_backends(&members.iter().map(|m| m.port).collect::<Vec<_>>());
        TestCluster { proxy, members }
    }
}

impl Drop for TestCluster {
    /// The last member first: the first owns the database, dropped with it.
    fn drop(&mut self) {
        while let Some(member) = self.members.pop() {
            drop(member);
        }
    }
}
