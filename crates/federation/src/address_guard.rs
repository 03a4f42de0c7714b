//! Refuses to fetch from or deliver to addresses inside the network.
//! Remote documents name URLs we then request (actors, keys, reply
//! parents); without this check anyone could make the server request its
//! own admin pages or cloud metadata ("server-side request forgery").

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    #[error("'{0}' uses a scheme other than https")]
    Scheme(String),
    #[error(
        "{host} resolves to the internal address {address}; set federation.allow_private_addresses only for development"
    )]
    Private { host: String, address: IpAddr },
    #[error("cannot resolve {host}: {reason}")]
    Resolve { host: String, reason: String },
}

/// Checks that `url` points outside the local network (every address its
/// host resolves to). With `allow_private`, plain http and internal
/// addresses pass: the development setting.
pub async fn check_destination(url: &url::Url, allow_private: bool) -> Result<(), GuardError> {
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(GuardError::Scheme(url.to_string())),
    }
    if allow_private {
        return Ok(());
    }
    let host = url.host_str().unwrap_or_default().trim_matches(['[', ']']).to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(literal) => vec![literal],
        Err(_) => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| GuardError::Resolve { host: host.clone(), reason: e.to_string() })?
            .map(|socket| socket.ip())
            .collect(),
    };
    match addresses.into_iter().find(|address| is_internal(*address)) {
        Some(address) => Err(GuardError::Private { host, address }),
        None => Ok(()),
    }
}

fn is_internal(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_internal_v4(v4),
            None => {
                let first = v6.segments()[0];
                v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                    || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                    || (first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
                    || v6 == Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1)
            }
        },
    }
}

fn is_internal_v4(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_multicast()
        || v4.is_broadcast()
        || v4.is_documentation()
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || a == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn check(url: &str, allow: bool) -> Result<(), GuardError> {
        check_destination(&url::Url::parse(url).unwrap(), allow).await
    }

    #[tokio::test]
    async fn internal_addresses_are_refused_unless_allowed() {
        for url in [
            "https://127.0.0.1/inbox",
            "https://localhost/inbox",
            "https://10.1.2.3/inbox",
            "https://192.168.0.1/",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/inbox",
            "https://[::ffff:127.0.0.1]/inbox",
            "https://[fd00::1]/",
            "https://100.64.0.1/",
        ] {
            assert!(matches!(check(url, false).await, Err(GuardError::Private { .. })), "{url} must be refused");
        }
        check("http://127.0.0.1:3001/inbox", true).await.unwrap();
    }

    #[tokio::test]
    async fn public_https_passes_and_plain_http_needs_the_development_setting() {
        check("https://93.184.216.34/inbox", false).await.unwrap();
        assert!(matches!(check("http://93.184.216.34/inbox", false).await, Err(GuardError::Scheme(_))));
        assert!(matches!(check("ftp://93.184.216.34/", true).await, Err(GuardError::Scheme(_))));
    }
}
