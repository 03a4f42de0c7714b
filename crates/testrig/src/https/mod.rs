//! A private HTTPS network on this machine, so sites federate exactly as in
//! production: each has a host name under `tertulia.test`, its own loopback
//! address and port 443, and a certificate from a certificate authority
//! made for the network. Nothing in the servers knows it is a test.
//!
//! - Names resolve through a hosts file of the network's own, which each
//!   process sees as `/etc/hosts` in a private mount namespace (`unshare`),
//!   so the system's resolver, in Rust or Python, finds them.
//! - The authority's root certificate is the only one those processes
//!   trust (`SSL_CERT_FILE`, which rustls's native roots and OpenSSL read).
//! - A [`TlsFront`](front::TlsFront) per site terminates TLS and forwards to
//!   the site's plain HTTP port, as a reverse proxy does.
//!
//! Binding port 443 and mounting need root; see docs/testing.md.

mod authority;
mod front;

use std::collections::BTreeMap;
use std::hash::{BuildHasher, RandomState};
use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::process::Command;

use authority::CertificateAuthority;
use front::TlsFront;

/// The domain every host name of the network ends in (RFC 2606 reserves
/// `.test`, so no real name is ever shadowed).
pub const NETWORK_DOMAIN: &str = "tertulia.test";
/// Addresses tried for one host before giving up: other test networks may
/// hold some of 127.0.0.0/8's port 443s at the same time.
const ADDRESS_ATTEMPTS: usize = 50;

/// A private HTTPS network: its certificate authority, its hosts file and
/// who is on it. Cheap to clone; the files go when the last clone does.
#[derive(Clone)]
pub struct HttpsNetwork {
    inner: Arc<Network>,
}

struct Network {
    dir: tempfile::TempDir,
    authority: CertificateAuthority,
    /// Host name to address, as the hosts file lists them.
    hosts: Mutex<BTreeMap<String, Ipv4Addr>>,
}

/// A host on the network: its name and the TLS front serving it, which
/// stops when this is dropped.
pub(crate) struct Seat {
    pub(crate) host_name: String,
    pub(crate) network: HttpsNetwork,
    _front: TlsFront,
}

impl HttpsNetwork {
    /// A network with a new certificate authority and nobody on it yet.
    pub fn new() -> HttpsNetwork {
        let dir = tempfile::tempdir().expect("temporary directory");
        let authority = CertificateAuthority::new(dir.path());
        let network = HttpsNetwork { inner: Arc::new(Network { dir, authority, hosts: Mutex::new(BTreeMap::new()) }) };
        network.write_hosts_file(&BTreeMap::new());
        network
    }

    /// The full host name of `name` on the network: `hq` is `hq.tertulia.test`.
    pub fn host_name(name: &str) -> String {
        format!("{name}.{NETWORK_DOMAIN}")
    }

    /// The authority's root certificate (PEM), the one root the network's
    /// processes trust (written by [`CertificateAuthority::new`]).
    pub fn root_certificate_path(&self) -> PathBuf {
        self.inner.dir.path().join("root-ca.pem")
    }

    fn hosts_path(&self) -> PathBuf {
        self.inner.dir.path().join("hosts")
    }

    /// Puts `name` on the network: a loopback address of its own, listed in
    /// the hosts file, where port 443 serves HTTPS with a certificate for
    /// it and forwards to `backend`.
    pub(crate) fn join(&self, name: &str, backend: SocketAddr) -> Seat {
        let host_name = Self::host_name(name);
        let (address, listener) = bind_loopback_443();
        let certificate = self.inner.authority.issue(&host_name);
        let front = TlsFront::start(listener, &certificate, backend);
        let mut hosts = self.inner.hosts.lock().expect("hosts lock");
        assert!(hosts.insert(host_name.clone(), address).is_none(), "{host_name} is already on the network");
        self.write_hosts_file(&hosts);
        Seat { host_name, network: self.clone(), _front: front }
    }

    /// Rewrites the hosts file in place: the running processes' `/etc/hosts`
    /// is this very file (a bind mount holds the inode), so they see new
    /// hosts at once.
    fn write_hosts_file(&self, hosts: &BTreeMap<String, Ipv4Addr>) {
        let mut text = String::from("127.0.0.1 localhost\n::1 localhost\n");
        for (host_name, address) in hosts {
            text.push_str(&format!("{address} {host_name}\n"));
        }
        std::fs::write(self.hosts_path(), text).expect("write the network's hosts file");
    }

    /// A command running `program` inside the network: in a private mount
    /// namespace where `/etc/hosts` is the network's, trusting its authority
    /// alone.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new("unshare");
        command
            .args(["--mount", "--propagation", "private", "sh", "-c", r#"mount --bind "$0" /etc/hosts && exec "$@""#])
            .arg(self.hosts_path())
            .arg(program);
        let root = self.root_certificate_path();
        // rustls's native roots and Python's ssl module read SSL_CERT_FILE
        // (and SSL_CERT_DIR, which would add the system's roots); the
        // `requests` library reads REQUESTS_CA_BUNDLE.
        command.env("SSL_CERT_FILE", &root).env_remove("SSL_CERT_DIR").env("REQUESTS_CA_BUNDLE", &root);
        command
    }

    /// An HTTP client for the test itself: it trusts the network's authority
    /// alone and resolves the network's host names (only those).
    pub fn client(&self) -> reqwest::Client {
        let root = reqwest::Certificate::from_pem(self.inner.authority.root_pem.as_bytes()).expect("the CA is PEM");
        crate::http_client()
            .tls_certs_only([root])
            .dns_resolver(NetworkResolver { network: self.clone() })
            .build()
            .expect("HTTP client")
    }

    fn address_of(&self, host_name: &str) -> Option<Ipv4Addr> {
        self.inner.hosts.lock().expect("hosts lock").get(host_name).copied()
    }
}

impl Default for HttpsNetwork {
    fn default() -> Self {
        Self::new()
    }
}

/// A free port 443 on some loopback address 127.x.y.z other than 127.0.0.1.
fn bind_loopback_443() -> (Ipv4Addr, std::net::TcpListener) {
    for _ in 0..ADDRESS_ATTEMPTS {
        let [x, y, z, ..] = RandomState::new().hash_one(std::process::id()).to_le_bytes();
        let address = Ipv4Addr::new(127, x, y, z.max(2));
        match std::net::TcpListener::bind((address, 443)) {
            Ok(listener) => return (address, listener),
            Err(error) if error.kind() == ErrorKind::AddrInUse => continue,
            Err(error) => panic!(
                "cannot listen on {address}:443 ({error}): the HTTPS test network needs root, \
                 or net.ipv4.ip_unprivileged_port_start=443 and permission to run unshare --mount"
            ),
        }
    }
    panic!("no free port 443 on {ADDRESS_ATTEMPTS} loopback addresses tried")
}

/// Resolves the network's host names for the test's own client.
struct NetworkResolver {
    network: HttpsNetwork,
}

impl reqwest::dns::Resolve for NetworkResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let found = self.network.address_of(name.as_str());
        let host_name = name.as_str().to_owned();
        Box::pin(async move {
            let address = found.ok_or_else(|| format!("{host_name} is not on the HTTPS test network"))?;
            // Port 0: reqwest puts the URL's port on the returned address.
            let addresses = vec![SocketAddr::new(IpAddr::V4(address), 0)];
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}
