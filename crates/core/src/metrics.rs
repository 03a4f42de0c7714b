//! Operations metrics, in the Prometheus text format (docs/metrics.md).
//!
//! The one home of every metric: its name, help text and labels are
//! declared here once, and the rest of the code records through the
//! typed functions below, never through names of its own. The request log
//! records requests, the database pool its waits, the federation workers
//! deliveries and inbox answers; what is cheaper to read than to track
//! (pool use, queue depths, streaming connections, the process's memory)
//! is handed to [`Metrics::render`] at scrape time.
//!
//! The server installs the metrics once at start-up ([`install`]); in any
//! other process (the CLI, unit tests) recording does nothing.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use prometheus::{
    Counter, Encoder, GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

/// Remote hosts that get delivery counters of their own; deliveries to
/// any further host are counted as [`OTHER_HOSTS`]. Each host costs a few
/// series for the life of the process, so a network that sends us to ever
/// new hosts must not grow memory (or the scrape) without end.
pub const MAX_TRACKED_HOSTS: usize = 200;
/// The `host` label of deliveries to hosts past [`MAX_TRACKED_HOSTS`].
pub const OTHER_HOSTS: &str = "(other)";
/// The `route` label of requests no route matched (404s).
pub const UNMATCHED_ROUTE: &str = "(unmatched)";

/// The content type of the Prometheus text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Request durations from 5 ms to 10 s; the slow end is where alerts look.
const LATENCY_BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// Waits for a pooled connection: nothing at all when the pool keeps up.
const POOL_WAIT_BUCKETS: [f64; 9] = [0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0];

static INSTALLED: OnceLock<Metrics> = OnceLock::new();

/// How a delivery attempt to another site ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The receiving server took it (2xx).
    Success,
    /// It failed and will be tried again.
    Failure,
    /// It failed for good: refused, not allowed, or too old to retry.
    GaveUp,
}

impl DeliveryOutcome {
    fn label(self) -> &'static str {
        match self {
            DeliveryOutcome::Success => "success",
            DeliveryOutcome::Failure => "failure",
            DeliveryOutcome::GaveUp => "gave_up",
        }
    }
}

/// The database pool at scrape time.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoolUsage {
    pub in_use: u32,
    pub idle: u32,
    pub max: u32,
}

/// One durable queue at scrape time.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueDepth {
    /// `delivery`, `inbox`, `outbox` or `push`.
    pub queue: &'static str,
    /// Items waiting (claimed ones included; given-up ones not).
    pub depth: i64,
    /// How long the oldest waiting item has waited; 0 when empty.
    pub oldest_age_seconds: f64,
}

/// The process's own use of the machine, at scrape time.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessUsage {
    pub resident_bytes: u64,
    pub cpu_seconds: f64,
    pub open_fds: u64,
    pub max_fds: u64,
}

/// Everything read at scrape time rather than tracked as it happens.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub pool: PoolUsage,
    pub queues: Vec<QueueDepth>,
    pub streaming_connections: u64,
    pub process: ProcessUsage,
}

/// Why the metrics could not be set up or written.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("metrics: {0}")]
    Prometheus(#[from] prometheus::Error),
    #[error("metrics: the exposition text is not UTF-8: {0}")]
    NotText(#[from] std::string::FromUtf8Error),
    #[error("metrics were already set up in this process")]
    AlreadyInstalled,
}

/// Every metric this process exposes.
pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    pool_connections: IntGaugeVec,
    pool_max: IntGauge,
    pool_wait: Histogram,
    pool_timeouts: IntCounter,
    queue_depth: IntGaugeVec,
    queue_oldest_age: GaugeVec,
    deliveries: IntCounterVec,
    tracked_hosts: Mutex<HashSet<String>>,
    inbox_accepted: IntCounter,
    inbox_rejected: IntCounterVec,
    streaming_connections: IntGauge,
    resident_bytes: IntGauge,
    cpu_seconds: Counter,
    open_fds: IntGauge,
    max_fds: IntGauge,
}

/// Sets up this process's metrics, every series labelled with `node`
/// (the process's node number: several processes sharing one PostgreSQL
/// database each expose their own figures). Called once, at start-up.
pub fn install(node: u16) -> Result<&'static Metrics, MetricsError> {
    let metrics = Metrics::new(node)?;
    INSTALLED.set(metrics).map_err(|_| MetricsError::AlreadyInstalled)?;
    INSTALLED.get().ok_or(MetricsError::AlreadyInstalled)
}

/// This process's metrics, if [`install`]ed.
pub fn installed() -> Option<&'static Metrics> {
    INSTALLED.get()
}

/// Counts one answered HTTP request. `route` is the route's pattern
/// (`/api/v1/statuses/{id}`), never the path, so the series stay few.
pub fn http_request(route: Option<&str>, method: &str, status: u16, elapsed: Duration) {
    if let Some(metrics) = installed() {
        let route = route.unwrap_or(UNMATCHED_ROUTE);
        let method = known_method(method);
        metrics.http_requests.with_label_values(&[route, method, &status.to_string()]).inc();
        metrics.http_duration.with_label_values(&[route, method]).observe(elapsed.as_secs_f64());
    }
}

/// Records how long taking a connection from the pool took, and whether
/// one came (`false`: the pool's timeout passed first).
pub fn pool_checkout(waited: Duration, got_one: bool) {
    if let Some(metrics) = installed() {
        metrics.pool_wait.observe(waited.as_secs_f64());
        if !got_one {
            metrics.pool_timeouts.inc();
        }
    }
}

/// Counts one delivery attempt to `host`.
pub fn delivery(host: &str, outcome: DeliveryOutcome) {
    if let Some(metrics) = installed() {
        let host = metrics.host_label(host);
        metrics.deliveries.with_label_values(&[host.as_str(), outcome.label()]).inc();
    }
}

/// Counts one activity another site posted to an inbox and we stored.
pub fn inbox_accepted() {
    if let Some(metrics) = installed() {
        metrics.inbox_accepted.inc();
    }
}

/// Counts one activity refused at an inbox, by a short fixed `reason`
/// (`signature`, `forbidden`, `invalid`…).
pub fn inbox_rejected(reason: &'static str) {
    if let Some(metrics) = installed() {
        metrics.inbox_rejected.with_label_values(&[reason]).inc();
    }
}

/// Methods outside the standard ones are counted together: actix accepts
/// any token as a method, and each would be a new series.
fn known_method(method: &str) -> &str {
    const KNOWN: [&str; 9] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"];
    KNOWN.into_iter().find(|known| *known == method).unwrap_or("OTHER")
}

impl Metrics {
    fn new(node: u16) -> Result<Metrics, MetricsError> {
        let labels = [("node".to_owned(), node.to_string())].into_iter().collect();
        let registry = Registry::new_custom(None, Some(labels))?;
        let metrics = Metrics {
            http_requests: IntCounterVec::new(
                Opts::new(
                    "tertulia_http_requests_total",
                    "HTTP requests answered, by route pattern, method and status.",
                ),
                &["route", "method", "status"],
            )?,
            http_duration: HistogramVec::new(
                HistogramOpts::new(
                    "tertulia_http_request_duration_seconds",
                    "Time from receiving a request to its response, by route pattern and method.",
                )
                .buckets(LATENCY_BUCKETS.to_vec()),
                &["route", "method"],
            )?,
            pool_connections: IntGaugeVec::new(
                Opts::new("tertulia_db_pool_connections", "Database connections open in the pool, by state."),
                &["state"],
            )?,
            pool_max: IntGauge::new("tertulia_db_pool_max_connections", "The pool's size (database.pool_size).")?,
            pool_wait: Histogram::with_opts(
                HistogramOpts::new("tertulia_db_pool_wait_seconds", "Time spent waiting for a pooled connection.")
                    .buckets(POOL_WAIT_BUCKETS.to_vec()),
            )?,
            pool_timeouts: IntCounter::new(
                "tertulia_db_pool_timeouts_total",
                "Waits for a pooled connection that ended without one (database.connect_timeout_secs passed).",
            )?,
            queue_depth: IntGaugeVec::new(
                Opts::new("tertulia_queue_depth", "Items waiting in a durable queue."),
                &["queue"],
            )?,
            queue_oldest_age: GaugeVec::new(
                Opts::new(
                    "tertulia_queue_oldest_age_seconds",
                    "How long the oldest waiting item of a queue has waited.",
                ),
                &["queue"],
            )?,
            deliveries: IntCounterVec::new(
                Opts::new(
                    "tertulia_deliveries_total",
                    "Delivery attempts to other sites, by receiving host and outcome.",
                ),
                &["host", "outcome"],
            )?,
            tracked_hosts: Mutex::default(),
            inbox_accepted: IntCounter::new(
                "tertulia_inbox_accepted_total",
                "Activities other sites posted to an inbox that were verified and stored.",
            )?,
            inbox_rejected: IntCounterVec::new(
                Opts::new("tertulia_inbox_rejected_total", "Activities refused at an inbox, by reason."),
                &["reason"],
            )?,
            streaming_connections: IntGauge::new(
                "tertulia_streaming_connections",
                "Streaming API connections open (WebSocket and server-sent events).",
            )?,
            resident_bytes: IntGauge::new("process_resident_memory_bytes", "Resident memory size in bytes.")?,
            cpu_seconds: Counter::new("process_cpu_seconds_total", "User and system CPU time spent, in seconds.")?,
            open_fds: IntGauge::new("process_open_fds", "Open file descriptors (sockets included).")?,
            max_fds: IntGauge::new("process_max_fds", "The limit on open file descriptors.")?,
            registry,
        };
        metrics.register_all()?;
        Ok(metrics)
    }

    fn register_all(&self) -> Result<(), prometheus::Error> {
        let registry = &self.registry;
        registry.register(Box::new(self.http_requests.clone()))?;
        registry.register(Box::new(self.http_duration.clone()))?;
        registry.register(Box::new(self.pool_connections.clone()))?;
        registry.register(Box::new(self.pool_max.clone()))?;
        registry.register(Box::new(self.pool_wait.clone()))?;
        registry.register(Box::new(self.pool_timeouts.clone()))?;
        registry.register(Box::new(self.queue_depth.clone()))?;
        registry.register(Box::new(self.queue_oldest_age.clone()))?;
        registry.register(Box::new(self.deliveries.clone()))?;
        registry.register(Box::new(self.inbox_accepted.clone()))?;
        registry.register(Box::new(self.inbox_rejected.clone()))?;
        registry.register(Box::new(self.streaming_connections.clone()))?;
        registry.register(Box::new(self.resident_bytes.clone()))?;
        registry.register(Box::new(self.cpu_seconds.clone()))?;
        registry.register(Box::new(self.open_fds.clone()))?;
        registry.register(Box::new(self.max_fds.clone()))
    }

    /// `host` if it already has counters or there is room for it, else
    /// [`OTHER_HOSTS`].
    fn host_label(&self, host: &str) -> String {
        let mut tracked = self.tracked_hosts.lock().unwrap_or_else(PoisonError::into_inner);
        if tracked.contains(host) {
            return host.to_owned();
        }
        if tracked.len() < MAX_TRACKED_HOSTS {
            tracked.insert(host.to_owned());
            return host.to_owned();
        }
        OTHER_HOSTS.to_owned()
    }

    /// Every metric in the text exposition format, with the scrape-time
    /// figures of `snapshot`.
    pub fn render(&self, snapshot: &Snapshot) -> Result<String, MetricsError> {
        self.pool_connections.with_label_values(&["in_use"]).set(snapshot.pool.in_use.into());
        self.pool_connections.with_label_values(&["idle"]).set(snapshot.pool.idle.into());
        self.pool_max.set(snapshot.pool.max.into());
        for queue in &snapshot.queues {
            self.queue_depth.with_label_values(&[queue.queue]).set(queue.depth);
            self.queue_oldest_age.with_label_values(&[queue.queue]).set(queue.oldest_age_seconds);
        }
        self.streaming_connections.set(i64::try_from(snapshot.streaming_connections).unwrap_or(i64::MAX));
        let process = &snapshot.process;
        self.resident_bytes.set(i64::try_from(process.resident_bytes).unwrap_or(i64::MAX));
        // A counter only goes up: add what was spent since the last scrape.
        self.cpu_seconds.inc_by((process.cpu_seconds - self.cpu_seconds.get()).max(0.0));
        self.open_fds.set(i64::try_from(process.open_fds).unwrap_or(i64::MAX));
        self.max_fds.set(i64::try_from(process.max_fds).unwrap_or(i64::MAX));
        let mut text = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut text)?;
        Ok(String::from_utf8(text)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_is_exposed_with_the_node_label() {
        let metrics = Metrics::new(7).unwrap();
        let snapshot = Snapshot {
            queues: vec![QueueDepth { queue: "delivery", depth: 3, oldest_age_seconds: 12.5 }],
            ..Snapshot::default()
        };
        metrics.http_requests.with_label_values(&["/healthz", "GET", "200"]).inc();
        let text = metrics.render(&snapshot).unwrap();
        assert!(
            text.contains(r#"tertulia_http_requests_total{method="GET",route="/healthz",status="200",node="7"} 1"#)
        );
        assert!(text.contains(r#"tertulia_queue_depth{queue="delivery",node="7"} 3"#), "{text}");
        assert!(text.contains(r#"tertulia_queue_oldest_age_seconds{queue="delivery",node="7"} 12.5"#), "{text}");
        assert!(text.contains("# TYPE process_cpu_seconds_total counter"), "{text}");
    }

    #[test]
    fn hosts_past_the_cap_share_one_label() {
        let metrics = Metrics::new(0).unwrap();
        for n in 0..MAX_TRACKED_HOSTS {
            assert_eq!(metrics.host_label(&format!("site{n}.example")), format!("site{n}.example"));
        }
        assert_eq!(metrics.host_label("one-too-many.example"), OTHER_HOSTS);
        assert_eq!(metrics.host_label("site0.example"), "site0.example", "a tracked host keeps its label");
    }

    #[test]
    fn unknown_methods_are_counted_together() {
        assert_eq!(known_method("PATCH"), "PATCH");
        assert_eq!(known_method("BREW"), "OTHER");
    }
}
