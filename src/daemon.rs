//! What the parts of a running `serve` share: the running config, replaced whole on SIGHUP
//! with a notification to whoever waits for it, and the poll metrics. The scheduler reads the
//! config and records polls; the server renders both. Neither knows the other.

use std::sync::{Arc, RwLock};

use crate::config::Config;
use crate::metrics::Metrics;

pub struct Live {
    config: RwLock<Arc<Config>>,
    /// Notified by `set_config`: the scheduler waits on it to take up a reload at once.
    pub changed: tokio::sync::Notify,
    pub metrics: Arc<Metrics>,
}

impl Live {
    pub fn new(config: Arc<Config>, metrics: Arc<Metrics>) -> Arc<Live> {
        Arc::new(Live { config: RwLock::new(config), changed: tokio::sync::Notify::new(), metrics })
    }

    /// The running config.
    pub fn config(&self) -> Arc<Config> {
        self.config.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the running config and wakes whoever waits on `changed`.
    pub fn set_config(&self, config: Arc<Config>) {
        *self.config.write().unwrap_or_else(|e| e.into_inner()) = config;
        self.changed.notify_waiters();
    }
}
