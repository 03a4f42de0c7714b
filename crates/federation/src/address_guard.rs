//! Keeps remote sites from making this server request its own network
//! (server-side request forgery): a URL received in an activity must not
//! lead to the loopback interface, the LAN or cloud metadata services.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::{Host, Url};

/// Why a destination was refused. Permanent: the same URL will be refused
/// again, so deliveries to it should not be retried.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GuardError {
    #[error("refusing {url}: federation only uses https (plain http needs federation.allow_private_addresses)")]
    Scheme { url: String },
    #[error("refusing {url}: it names no host")]
    NoHost { url: String },
    #[error(
        "refusing to contact {host}: it resolves to {address}, a private or reserved address \
         (allowed only with federation.allow_private_addresses)"
    )]
    Forbidden { host: String, address: IpAddr },
    #[error("cannot resolve {host}: {reason}; check the name and this server's DNS")]
    Resolve { host: String, reason: String },
}

/// Checks that `url` may be requested: https (or http when `allow_private`)
/// and, unless `allow_private`, no address of its host is private or reserved.
/// One bad address is enough to refuse, because the connection may use any.
pub async fn check_destination(url: &Url, allow_private: bool) -> Result<(), GuardError> {
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(GuardError::Scheme { url: url.to_string() }),
    }
    let host = url.host().ok_or_else(|| GuardError::NoHost { url: url.to_string() })?;
    match host {
        Host::Ipv4(address) => check_address(&host.to_string(), address.into(), allow_private),
        Host::Ipv6(address) => check_address(&host.to_string(), address.into(), allow_private),
        Host::Domain(name) => resolve(name, url.port_or_known_default().unwrap_or(443), allow_private).await.map(drop),
    }
}

/// Resolves `host` and applies the same rule as [`check_destination`].
/// Shared with [`GuardedResolver`] so the addresses checked are the ones
/// connected to, even if the name's DNS answer changes in between.
async fn resolve(host: &str, port: u16, allow_private: bool) -> Result<Vec<SocketAddr>, GuardError> {
    let resolve_error = |reason: String| GuardError::Resolve { host: host.to_owned(), reason };
    let addresses: Vec<SocketAddr> =
        tokio::net::lookup_host((host, port)).await.map_err(|error| resolve_error(error.to_string()))?.collect();
    if addresses.is_empty() {
        return Err(resolve_error("no address found".to_owned()));
    }
    for address in &addresses {
        check_address(host, address.ip(), allow_private)?;
    }
    Ok(addresses)
}

fn check_address(host: &str, address: IpAddr, allow_private: bool) -> Result<(), GuardError> {
    if allow_private || is_public(address) {
        Ok(())
    } else {
        Err(GuardError::Forbidden { host: host.to_owned(), address })
    }
}

fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(address: Ipv4Addr) -> bool {
    let [a, b, ..] = address.octets();
    let this_network = a == 0;
    let shared_cgnat = a == 100 && (64..128).contains(&b);
    let ietf_protocol = a == 192 && b == 0 && address.octets()[2] == 0;
    let benchmarking = a == 198 && (b == 18 || b == 19);
    let reserved = a >= 240;
    !(address.is_loopback()
        || address.is_private()
        || address.is_link_local()
        || address.is_unspecified()
        || address.is_multicast()
        || address.is_broadcast()
        || address.is_documentation()
        || this_network
        || shared_cgnat
        || ietf_protocol
        || benchmarking
        || reserved)
}

fn is_public_v6(address: Ipv6Addr) -> bool {
    // An IPv4 address wrapped in IPv6 (mapped, or through the well-known
    // NAT64 prefix) reaches the IPv4 host, so it is judged as that host.
    if let Some(v4) = address.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let segments = address.segments();
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., a, b, c, d] = address.octets();
        return is_public_v4(Ipv4Addr::new(a, b, c, d));
    }
    let unique_local = segments[0] & 0xfe00 == 0xfc00;
    let link_local = segments[0] & 0xffc0 == 0xfe80;
    let site_local = segments[0] & 0xffc0 == 0xfec0;
    let documentation = segments[0] == 0x2001 && segments[1] == 0x0db8;
    !(address.is_loopback()
        || address.is_unspecified()
        || address.is_multicast()
        || unique_local
        || link_local
        || site_local
        || documentation)
}

/// DNS resolver for the federation HTTP client: refuses names whose
/// addresses [`check_destination`] would refuse, closing the gap where a
/// name resolves to a public address when checked and a private one when
/// connected (DNS rebinding).
pub(crate) struct GuardedResolver {
    pub(crate) allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // Port 0: reqwest puts the URL's port on the returned addresses.
            let addresses = resolve(&host, 0, allow_private).await?;
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn check(url: &str, allow_private: bool) -> Result<(), GuardError> {
        check_destination(&Url::parse(url).unwrap(), allow_private).await
    }

    #[tokio::test]
    async fn loopback_and_private_destinations_are_refused() {
        for url in [
            "https://127.0.0.1/inbox",
            "https://localhost:8443/inbox",
            "https://10.1.2.3/inbox",
            "https://172.16.0.9/",
            "https://192.168.1.1/",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
            "https://[::1]/inbox",
            "https://[::ffff:127.0.0.1]/inbox",
            "https://[::ffff:10.0.0.1]/",
            "https://[fd00::1]/",
            "https://[fe80::1]/",
            "https://[64:ff9b::10.0.0.1]/",
        ] {
            assert!(matches!(check(url, false).await, Err(GuardError::Forbidden { .. })), "{url} was not refused");
        }
    }

    #[tokio::test]
    async fn refusal_names_the_host_and_address() {
        let error = check("https://10.1.2.3/inbox", false).await.unwrap_err();
        assert_eq!(error, GuardError::Forbidden { host: "10.1.2.3".into(), address: "10.1.2.3".parse().unwrap() });
        assert!(error.to_string().starts_with("refusing to contact 10.1.2.3: it resolves to 10.1.2.3"));
        let error = check("https://localhost/", false).await.unwrap_err();
        assert!(error.to_string().starts_with("refusing to contact localhost: "), "{error}");
    }

    #[tokio::test]
    async fn private_destinations_are_allowed_with_the_flag() {
        for url in ["http://127.0.0.1:3000/inbox", "https://localhost/", "https://10.1.2.3/", "http://[::1]:8080/"] {
            assert_eq!(check(url, true).await, Ok(()), "{url}");
        }
    }

    #[tokio::test]
    async fn public_literals_pass_without_dns() {
        assert_eq!(check("https://93.184.216.34/inbox", false).await, Ok(()));
        assert_eq!(check("https://[2606:2800:220:1:248:1893:25c8:1946]/", false).await, Ok(()));
    }

    #[tokio::test]
    async fn plain_http_and_other_schemes_need_the_flag() {
        assert!(matches!(check("http://93.184.216.34/", false).await, Err(GuardError::Scheme { .. })));
        assert!(matches!(check("ftp://93.184.216.34/", true).await, Err(GuardError::Scheme { .. })));
        assert!(matches!(check("file:///etc/passwd", true).await, Err(GuardError::Scheme { .. })));
    }

    #[tokio::test]
    async fn unresolvable_names_are_reported() {
        let error = check("https://no-such-host.invalid/", false).await.unwrap_err();
        assert!(matches!(&error, GuardError::Resolve { host, .. } if host == "no-such-host.invalid"), "{error}");
    }

    #[tokio::test]
    async fn client_resolver_applies_the_same_rule() {
        use reqwest::dns::Resolve;
        let resolve = |allow_private: bool| GuardedResolver { allow_private }.resolve("localhost".parse().unwrap());
        let refusal = resolve(false).await.err().unwrap();
        assert!(refusal.to_string().starts_with("refusing to contact localhost: "), "{refusal}");
        let addresses: Vec<SocketAddr> = resolve(true).await.unwrap().collect();
        assert!(!addresses.is_empty() && addresses.iter().all(|address| address.ip().is_loopback()), "{addresses:?}");
    }

    #[test]
    fn ordinary_public_addresses_are_public() {
        for address in ["1.1.1.1", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2a00:1450:4001::1", "64:ff9b::808:808"] {
            assert!(is_public(address.parse().unwrap()), "{address}");
        }
    }
}
