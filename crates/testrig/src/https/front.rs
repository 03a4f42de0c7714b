//! The HTTPS side of a test site: listens on the site's own address, port
//! 443, terminates TLS with the site's certificate and passes the bytes to
//! the plain HTTP server behind it, as a reverse proxy does in production.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::authority::SiteCertificate;

/// A running TLS front; it stops when dropped.
pub(crate) struct TlsFront {
    task: JoinHandle<()>,
}

impl TlsFront {
    /// Serves `certificate` on `listener`, forwarding each connection to `backend`.
    pub(crate) fn start(
        listener: std::net::TcpListener,
        certificate: &SiteCertificate,
        backend: SocketAddr,
    ) -> TlsFront {
        let chain = CertificateDer::pem_slice_iter(certificate.certificate_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .expect("the site certificate is PEM");
        let key = PrivateKeyDer::from_pem_slice(certificate.key_pem.as_bytes()).expect("the site key is PEM");
        let config = ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("a TLS server configuration");
        let acceptor = TlsAcceptor::from(Arc::new(config));
        listener.set_nonblocking(true).expect("a non-blocking listener");
        let listener = TcpListener::from_std(listener).expect("a tokio listener");
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(forward(acceptor.clone(), client, backend));
            }
        });
        TlsFront { task }
    }
}

/// One connection: a failed handshake or a closed backend ends it, as it
/// would end at a real proxy; the client sees the error.
async fn forward(acceptor: TlsAcceptor, client: TcpStream, backend: SocketAddr) {
    let Ok(mut tls) = acceptor.accept(client).await else { return };
    let Ok(mut server) = TcpStream::connect(backend).await else { return };
    let _ = tokio::io::copy_bidirectional(&mut tls, &mut server).await;
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.task.abort();
    }
}
