//! The address a request comes from, as limits count it.

use std::net::{IpAddr, Ipv6Addr};

use actix_web::HttpRequest;
use tertulia_core::config::RateLimitsConfig;

/// A caller's address for counting: an IPv4 address, or the /64 network of
/// an IPv6 address. One home or server is given a whole /64, so counting
/// single IPv6 addresses would hand every caller 2^64 budgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddress(IpAddr);

impl ClientAddress {
    pub fn new(ip: IpAddr) -> ClientAddress {
        match ip {
            IpAddr::V4(_) => ClientAddress(ip),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientAddress(IpAddr::V4(v4)),
                None => {
                    let network = u128::from(v6) & !u128::from(u64::MAX);
                    ClientAddress(IpAddr::V6(Ipv6Addr::from(network)))
                }
            },
        }
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone)]
pub struct TrustedProxies(Vec<IpAddr>);

impl TrustedProxies {
    pub fn new(config: &RateLimitsConfig) -> TrustedProxies {
        // Configuration checks refuse anything that is not an address.
        TrustedProxies(config.trusted_proxies.iter().filter_map(|p| p.parse().ok()).collect())
    }

    /// The caller, as limits count it.
    pub fn client_of(&self, request: &HttpRequest) -> Option<ClientAddress> {
        self.ip_of(request).map(ClientAddress::new)
    }

    /// The caller's own address: the peer, or the last address a trusted
    /// proxy appended to `X-Forwarded-For` (earlier entries are whatever the
    /// client sent).
    pub fn ip_of(&self, request: &HttpRequest) -> Option<IpAddr> {
        let peer = request.peer_addr()?.ip();
        if !self.0.contains(&peer) {
            return Some(peer);
        }
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok());
        Some(forwarded.unwrap_or(peer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(text: &str) -> ClientAddress {
        ClientAddress::new(text.parse().unwrap())
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_bit_network() {
        assert_eq!(address("2001:db8:1:2::1"), address("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        assert_ne!(address("2001:db8:1:2::1"), address("2001:db8:1:3::1"));
        assert_eq!(address("::ffff:192.0.2.7"), address("192.0.2.7"), "IPv4 seen through IPv6 is IPv4");
        assert_ne!(address("192.0.2.7"), address("192.0.2.8"));
    }
}
