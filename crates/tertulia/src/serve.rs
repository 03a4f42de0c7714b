//! `tertulia serve`: migrate, listen, and stop gracefully on a signal.

use std::sync::Arc;
use std::time::Duration;

use actix_web::{App, HttpServer};
use tertulia_api::AppState;
use tertulia_core::config::{Config, LoadedConfig};
use tertulia_core::{Id, metrics};
use tertulia_db::Db;
use tertulia_db::cluster::{self, Cluster, Membership};
use tertulia_domain::{Context, Events};
use tertulia_federation::Federation;
use tokio::sync::watch;

use crate::CliError;

/// Requests still running this long after a stop signal are cut off.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(4);

pub async fn run(loaded: LoadedConfig) -> Result<(), CliError> {
    let config = Arc::new(loaded.config);
    match &loaded.file {
        Some(path) => tracing::info!(file = %path.display(), "configuration loaded"),
        None => tracing::info!("no configuration file; using built-in defaults"),
    }
    if !loaded.env_overrides.is_empty() {
        tracing::info!(variables = %loaded.env_overrides.join(","), "environment overrides applied");
    }
    // Joined before anything makes an id (joining sets this process's node)
    // and, on SQLite, before migrating (a second server must not start).
    let (events, cluster, _sqlite_lock) = match Cluster::join(&config.database)? {
        Membership::Clustered(cluster, incoming) => (Events::clustered(cluster.clone(), incoming), Some(cluster), None),
        Membership::Alone(lock) => (Events::new(), None, Some(lock)),
    };
    metrics::install(Id::this_node())?;
    let db = Db::connect(&config.database)?;
    let report = db.migrate()?;
    tracing::info!(backend = db.backend_name(), applied = report.applied.len(), "database ready");
    let ctx = Context::new(db.clone(), events.clone(), config.clone());
    tertulia_domain::federation_policy::seed(&ctx).await?;
    let federation = Federation::new(ctx.clone()).await?;
    let (stop_workers, workers_stop) = watch::channel(false);
    let mut workers = federation.spawn_workers(workers_stop.clone());
    workers.push(tokio::spawn(ctx.policy.clone().keep_current(db.clone(), workers_stop.clone())));
    workers.push(tokio::spawn(tertulia_domain::scheduled::run(ctx.clone(), workers_stop.clone())));
    let pusher = tertulia_federation::push::Pusher::new(db.clone(), config.clone()).await?;
    workers.push(tokio::spawn(pusher.run(workers_stop.clone())));
    let (trim_db, home_length) = (db.clone(), config.limits.home_timeline_length);
    let announcements_ctx = ctx.clone();
    workers.push(tokio::spawn(once_per_cluster(cluster.clone(), workers_stop.clone(), move |stop| {
        tertulia_domain::announcements::keep_publishing(announcements_ctx.clone(), stop)
    })));
    workers.push(tokio::spawn(once_per_cluster(cluster.clone(), workers_stop.clone(), move |stop| {
        tertulia_domain::timelines::keep_home_timelines_trimmed(trim_db.clone(), home_length, stop)
    })));
    let analytics_ctx = ctx.clone();
    workers.push(tokio::spawn(once_per_cluster(cluster.clone(), workers_stop.clone(), move |stop| {
        tertulia_domain::analytics::rollup::keep_rolled_up(analytics_ctx.clone(), stop)
    })));
    workers.push(tokio::spawn(crate::allocator::keep_trimmed(workers_stop.clone())));
    let puller = federation.clone();
    workers.push(tokio::spawn(once_per_cluster(cluster, workers_stop, move |stop| {
        puller.clone().keep_sites_pulled(stop)
    })));
    if !config.federation.enabled {
        tracing::info!("federation is off (federation.enabled = false): this site talks to no other");
    }
    let state = AppState::new(ctx).with_resolver(Arc::new(federation.clone()));
    let metrics_server = metrics_listener(&config, &state)?;
    let server = HttpServer::new(move || {
        App::new().configure(tertulia_api::configure(
            state.clone(),
            tertulia_federation::routes::configure(federation.clone()),
        ))
    })
    .worker_max_blocking_threads(crate::runtime::blocking_threads(&config))
    .disable_signals()
    .shutdown_timeout(SHUTDOWN_GRACE.as_secs())
    .bind(config.bind)
    .map_err(|e| CliError::Usage(format!("cannot listen on {} (config key `bind`): {e}", config.bind)))?
    .run();
    tracing::info!(bind = %config.bind, url = %config.base_url(), "Tertulia is listening");
    let handle = server.handle();
    let metrics_handle = metrics_server.map(|server| {
        let handle = server.handle();
        actix_web::rt::spawn(server);
        handle
    });
    let stopper = actix_web::rt::spawn(async move {
        let signal = wait_for_stop_signal().await;
        tracing::info!(signal, "stopping: finishing requests in progress");
        // Streaming connections never finish by themselves: end them first.
        events.close();
        handle.stop(true).await;
        if let Some(metrics_handle) = metrics_handle {
            metrics_handle.stop(true).await;
        }
    });
    server.await?;
    stopper.abort();
    // Jobs in flight are leased: whatever stops half-way is sent next start.
    stop_workers.send_replace(true);
    for worker in workers {
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, worker).await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// The server of `/metrics` alone on `metrics.listen`, if that is set
/// (docs/metrics.md explains the choices).
fn metrics_listener(config: &Config, state: &AppState) -> Result<Option<actix_web::dev::Server>, CliError> {
    if config.metrics.on_main_address() {
        tracing::info!("metrics at /metrics on the main address, for scrapers sending metrics.token");
    }
    let Some(address) = config.metrics.listen_address() else {
        return Ok(None);
    };
    let state = state.clone();
    let server =
        HttpServer::new(move || App::new().configure(tertulia_api::metrics::configure_listener(state.clone())))
            // Scrapes come every few seconds at most: one thread is plenty.
            .workers(1)
            .disable_signals()
            .shutdown_timeout(SHUTDOWN_GRACE.as_secs())
            .bind(address)
            .map_err(|e| CliError::Usage(format!("cannot listen on {address} (config key `metrics.listen`): {e}")))?
            .run();
    tracing::info!(listen = %address, "metrics at /metrics on their own address");
    Ok(Some(server))
}

/// Runs `job` (which stops when its watch turns true) while this process
/// leads its cluster, until `shutdown`: started when leadership is won,
/// stopped when it is lost, so the job runs in one process at a time. With
/// no cluster (SQLite) this process is the only one and always runs it.
async fn once_per_cluster<F: Future<Output = ()> + Send + 'static>(
    cluster: Option<Cluster>,
    mut shutdown: watch::Receiver<bool>,
    job: impl Fn(watch::Receiver<bool>) -> F,
) {
    let Some(cluster) = cluster else {
        return job(shutdown).await;
    };
    let mut heartbeat = tokio::time::interval(cluster::HEARTBEAT);
    loop {
        tokio::select! {
            _ = heartbeat.tick() => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
        if !cluster.is_leader() {
            continue;
        }
        let (stop_job, job_stop) = watch::channel(false);
        let running = tokio::spawn(job(job_stop));
        while cluster.is_leader() && !*shutdown.borrow() {
            tokio::select! {
                _ = heartbeat.tick() => {}
                _ = shutdown.wait_for(|stop| *stop) => {}
            }
        }
        stop_job.send_replace(true);
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, running).await;
    }
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM, naming the signal.
async fn wait_for_stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = tokio::signal::ctrl_c() => "SIGINT",
                _ = term.recv() => "SIGTERM",
            },
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the server");
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "SIGINT"
    }
}
