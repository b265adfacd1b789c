//! `feedscrub serve`: the daemon. The scheduler (local, or a worker of a shared database)
//! on a thread of its own, the HTTP server on the main runtime, SIGHUP reloads the config,
//! SIGINT/SIGTERM drain and stop.

use std::path::Path;

use super::{load, AppError, Exit};
use crate::config::Config;
use crate::context::Context;
use crate::fetch::Fetcher;
use crate::store::Store;

/// The daemon: scheduler + HTTP server on one store until SIGINT/SIGTERM.
pub(super) async fn serve(
    config: &Path,
    listen: Option<std::net::SocketAddr>,
    role: crate::cli::Role,
) -> Result<Exit, AppError> {
    use crate::cli::Role;
    use std::sync::Arc;
    use tokio::signal::unix::{signal, SignalKind};

    let cfg = Arc::new(load(config)?);
    crate::memory::release_freed(); // parsing a big config freed much more than it keeps
    let store = Store::for_settings(&cfg.settings)?;
    let shared = store.postgres().cloned();
    match &shared {
        None if role != Role::All => {
            return Err(AppError::Usage(format!(
                "serve --role {}: a store of its own belongs to one process; roles need a shared database \
                 (store = \"postgres\", see docs/SCALING.md)",
                if role == Role::Worker { "worker" } else { "web" }
            )))
        }
        None => {}
        Some(pg) => {
            // feeds.toml is the source of truth: every node lists it in the database
            pg.sync_feeds(listed_feeds(&cfg), first_spread(&cfg)).await?;
            if role != Role::Worker {
                // what other nodes commit shows in this node's pages (a worker serves none)
                store.follow(FOLLOW_POLL);
            }
        }
    }
    // the daemon's 304 polls come one by one: let their state commits share transactions
    store.gather_state_commits(std::time::Duration::from_millis(10));
    let ctx = Context::new(Fetcher::new(&cfg.settings)?, store.clone()).map_err(|e| AppError::Io(e.to_string()))?;
    let live = crate::daemon::Live::new(cfg.clone(), Arc::default());
    let state = crate::server::AppState::new(store.clone(), live.clone());
    let addr = listen.unwrap_or(cfg.settings.listen);
    let listener = crate::server::bind(addr).map_err(|e| AppError::Io(format!("cannot listen on {addr}: {e}")))?;
    let local = listener.local_addr().map_err(|e| AppError::Io(e.to_string()))?;
    eprintln!("feedscrub: serving {} feeds on http://{local}/", cfg.feeds.len());

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let sig = |kind| signal(kind).map_err(|e| AppError::Io(format!("cannot listen for signals: {e}")));
    let (mut term, mut int, mut hup) =
        (sig(SignalKind::terminate())?, sig(SignalKind::interrupt())?, sig(SignalKind::hangup())?);
    let reload = live.clone();
    let reload_store = store.clone();
    let config_path = config.to_path_buf();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = term.recv() => break,
                _ = int.recv() => break,
                _ = hup.recv() => match Config::load(&config_path) {
                    Ok(new) => {
                        if let Some(pg) = reload_store.postgres() {
                            if let Err(e) = pg.sync_feeds(listed_feeds(&new), first_spread(&new)).await {
                                tracing::error!(error = %e, "cannot list the reloaded feeds in the database");
                            }
                        }
                        tracing::info!(feeds = new.feeds.len(), "config reloaded");
                        eprintln!("feedscrub: reloaded {} ({} feeds)", config_path.display(), new.feeds.len());
                        reload.set_config(Arc::new(new));
                        crate::memory::release_freed();
                    }
                    Err(e) => {
                        tracing::error!("config reload rejected, keeping the running config:\n{e}");
                        eprintln!("feedscrub: reload rejected, keeping the running config:\n{e}");
                    }
                },
            }
        }
        tracing::info!("shutting down");
        let _ = stop_tx.send(true);
    });

    // The polls run on a thread of their own with a single-threaded runtime: a poll is a few
    // short steps (request, 304, commit), and on one thread they cost no wake-ups of other
    // threads; the server keeps the main runtime's threads for readers.
    let scheduler = match (role, shared) {
        (Role::Web, _) => None,
        (_, Some(pg)) => Some(on_own_thread(crate::scheduler::shared::run(ctx, live.clone(), pg, stop_rx.clone()))),
        (_, None) => Some(on_own_thread(crate::scheduler::run(ctx, live.clone(), stop_rx.clone()))),
    }
    .transpose()?;
    let routes = match role {
        Role::Worker => crate::server::worker_router(state.clone()),
        Role::All | Role::Web => crate::server::router(state.clone()),
    };
    crate::server::serve(listener, routes, stop_rx, crate::server::Limits::from_settings(&cfg.settings)).await;
    if let Some(done) = scheduler {
        let _ = done.await;
    }
    drop(state);
    if let Err(e) = store.sync().await {
        tracing::error!(error = %e, "cannot sync the store");
    }
    drop(store); // the last handles: the writer drains and the store is flushed and closed
    eprintln!("feedscrub: stopped");
    Ok(Exit::Success)
}

/// Runs `fut` on a current-thread runtime of a thread of its own (the scheduler's); the
/// receiver resolves when it has ended.
fn on_own_thread(
    fut: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<tokio::sync::oneshot::Receiver<()>, AppError> {
    let (done, ended) = tokio::sync::oneshot::channel();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AppError::Io(format!("cannot start the scheduler's runtime: {e}")))?;
    std::thread::Builder::new()
        .name("scheduler".into())
        .spawn(move || {
            runtime.block_on(fut);
            drop(runtime);
            let _ = done.send(());
        })
        .map_err(|e| AppError::Io(format!("cannot start the scheduler's thread: {e}")))?;
    Ok(ended)
}

/// How often a node of a shared database looks for items other nodes stored, when no
/// notification told it (LISTEN/NOTIFY is the fast path; this alone suffices).
const FOLLOW_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// The config's feeds as the shared database lists them.
fn listed_feeds(cfg: &Config) -> Vec<crate::store::postgres::ListedFeed> {
    cfg.feeds
        .iter()
        .map(|f| crate::store::postgres::ListedFeed {
            name: f.name.clone(),
            url: f.source.to_string(),
            host: f.host_key(),
        })
        .collect()
}

/// New feeds of a shared database come due spread over this window (as the local scheduler
/// spreads its first polls).
fn first_spread(cfg: &Config) -> std::time::Duration {
    crate::scheduler::first_delay(None, cfg.settings.interval, cfg.feeds.len(), 1.0)
}
