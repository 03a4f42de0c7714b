//! Caps on open streaming connections, per address and in all. Each one
//! holds a socket and a hub subscription for as long as the client likes,
//! so without a cap one address could hold them all (or run the process out
//! of open files).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tertulia_core::config::LimitsConfig;

use crate::ApiError;
use crate::client_address::ClientAddress;

#[derive(Debug)]
pub struct StreamingSlots {
    per_address: u32,
    total: u32,
    open: Mutex<Open>,
}

/// Connections open now. An address leaves the map when its last one
/// closes, so the map is never larger than the total cap.
#[derive(Debug, Default)]
struct Open {
    total: u32,
    by_address: HashMap<ClientAddress, u32>,
}

/// One open connection's place, given back when dropped (when the
/// connection ends, however it ends).
#[derive(Debug)]
pub struct Slot {
    slots: Arc<StreamingSlots>,
    address: Option<ClientAddress>,
}

impl StreamingSlots {
    pub fn new(config: &LimitsConfig) -> StreamingSlots {
        StreamingSlots {
            per_address: config.streaming_connections_per_ip,
            total: config.streaming_connections,
            open: Mutex::new(Open::default()),
        }
    }

    /// A place for one more connection from `address`, or the refusal: 429
    /// when that address has its share open, 503 when the server is full.
    pub fn take(self: &Arc<Self>, address: Option<ClientAddress>) -> Result<Slot, ApiError> {
        let mut open = self.lock();
        let from_address = address.and_then(|a| open.by_address.get(&a).copied()).unwrap_or(0);
        if from_address >= self.per_address {
            return Err(ApiError::TooManyRequests(format!(
                "Too many streaming connections from your address: at most {} at once \
                 (limits.streaming_connections_per_ip); close another tab or app",
                self.per_address
            )));
        }
        if open.total >= self.total {
            return Err(ApiError::Busy(format!(
                "The server has all the streaming connections it can hold open ({}, \
                 limits.streaming_connections); try again later",
                self.total
            )));
        }
        open.total += 1;
        if let Some(address) = address {
            *open.by_address.entry(address).or_default() += 1;
        }
        Ok(Slot { slots: self.clone(), address })
    }

    /// Connections open now, in all.
    pub fn open(&self) -> u32 {
        self.lock().total
    }

    fn lock(&self) -> MutexGuard<'_, Open> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.slots.lock();
        open.total = open.total.saturating_sub(1);
        if let Some(address) = self.address
            && let Some(count) = open.by_address.get_mut(&address)
        {
            *count -= 1;
            if *count == 0 {
                open.by_address.remove(&address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(text: &str) -> Option<ClientAddress> {
        Some(ClientAddress::new(text.parse().unwrap()))
    }

    #[test]
    fn connections_are_capped_per_address_and_in_all_and_given_back_on_close() {
        let config = LimitsConfig { streaming_connections_per_ip: 2, streaming_connections: 3, ..Default::default() };
        let slots = Arc::new(StreamingSlots::new(&config));
        let first = slots.take(address("192.0.2.1")).unwrap();
        let _second = slots.take(address("192.0.2.1")).unwrap();
        assert!(matches!(slots.take(address("192.0.2.1")), Err(ApiError::TooManyRequests(_))));
        let _third = slots.take(address("192.0.2.2")).unwrap();
        assert!(matches!(slots.take(address("192.0.2.3")), Err(ApiError::Busy(_))));
        drop(first);
        assert!(slots.take(address("192.0.2.3")).is_ok(), "a closed connection frees its place");
        assert!(slots.take(address("192.0.2.1")).is_ok());
        assert_eq!(slots.lock().by_address.len(), 2, "addresses with nothing open are forgotten");
    }
}
