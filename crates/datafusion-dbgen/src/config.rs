//! The crate's session settings, one DataFusion [`ConfigExtension`] under `dbgen.`:
//!
//! - `dbgen.io_backend`: the I/O back end of the crate's `COPY … TO` writer (auto, io_uring,
//!   portable, inline; empty keeps the one the writer was registered with);
//! - `dbgen.partitions`: partitions of a job on a Ballista cluster, scans included (one scan
//!   part per task); 0 lets a `tpch cluster scheduler` plan with its executors' task slots.
//!
//! [`TpchSession`](crate::session::TpchSession) adds it to every session it builds, so
//! `SET dbgen.io_backend = 'inline'` works in `tpch query` as in a library session. Its entries
//! carry their full keys (`dbgen.partitions`), because Ballista ships a session's settings to
//! the scheduler as key-value pairs and DataFusion's `extensions_options!` would leave the
//! prefix out.

use std::any::Any;

use datafusion::config::{ConfigEntry, ConfigExtension, ExtensionOptions};
use datafusion::error::{DataFusionError, Result};
use datafusion::prelude::SessionConfig;

use crate::sink::{BackendChoice, SinkConfig};

/// The crate's settings of a session (`SET dbgen.<name> = …`); see the module docs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DbgenOptions {
    /// `dbgen.io_backend`: back end of the crate's COPY writer; empty keeps the registered one.
    pub io_backend: String,
    /// `dbgen.partitions`: partitions of a cluster job; 0 means the cluster's task slots.
    pub partitions: usize,
}

impl ConfigExtension for DbgenOptions {
    const PREFIX: &'static str = "dbgen";
}

impl ExtensionOptions for DbgenOptions {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }

    fn cloned(&self) -> Box<dyn ExtensionOptions> {
        Box::new(self.clone())
    }

    fn set(&mut self, key: &str, value: &str) -> Result<()> {
        // DataFusion passes the key without the prefix; Ballista's shipped entries have it.
        let key = key.strip_prefix("dbgen.").unwrap_or(key);
        match key {
            "io_backend" => {
                let value = value.trim();
                if !value.is_empty() {
                    BackendChoice::parse(value).map_err(|e| {
                        DataFusionError::Configuration(format!("dbgen.io_backend: {e}"))
                    })?;
                }
                self.io_backend = value.to_string();
                Ok(())
            }
            "partitions" => {
                self.partitions = value.trim().parse().map_err(|_| {
                    DataFusionError::Configuration(format!(
                        "dbgen.partitions must be a whole number, not '{value}'"
                    ))
                })?;
                Ok(())
            }
            _ => Err(DataFusionError::Configuration(format!(
                "no configuration key dbgen.{key}: expected dbgen.io_backend or dbgen.partitions"
            ))),
        }
    }

    fn entries(&self) -> Vec<ConfigEntry> {
        vec![
            ConfigEntry {
                key: "dbgen.io_backend".into(),
                value: Some(self.io_backend.clone()),
                description: "I/O back end of COPY TO: auto, io_uring, portable or inline (empty: as registered)",
            },
            ConfigEntry {
                key: "dbgen.partitions".into(),
                value: Some(self.partitions.to_string()),
                description: "Partitions of a Ballista cluster job (0: the cluster's task slots)",
            },
        ]
    }
}

impl DbgenOptions {
    /// `sink` with `dbgen.io_backend` applied.
    pub fn apply(&self, mut sink: SinkConfig) -> Result<SinkConfig> {
        if !self.io_backend.trim().is_empty() {
            sink.backend = BackendChoice::parse(&self.io_backend)
                .map_err(|e| DataFusionError::Configuration(format!("dbgen.io_backend: {e}")))?;
        }
        Ok(sink)
    }

    /// The settings of `config` (the defaults when it has none).
    pub fn of(config: &SessionConfig) -> DbgenOptions {
        config
            .options()
            .extensions
            .get::<DbgenOptions>()
            .cloned()
            .unwrap_or_default()
    }
}

/// `config` with [`DbgenOptions`] in it (kept as they are when already there).
pub fn with_dbgen_options(config: SessionConfig) -> SessionConfig {
    if config.options().extensions.get::<DbgenOptions>().is_some() {
        config
    } else {
        config.with_option_extension(DbgenOptions::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_set_and_listed_in_full() {
        let mut config = with_dbgen_options(SessionConfig::new());
        let options = config.options_mut();
        options.set("dbgen.io_backend", "inline").unwrap();
        options.set("dbgen.partitions", "7").unwrap();
        let got = DbgenOptions::of(&config);
        assert_eq!(got.io_backend, "inline");
        assert_eq!(got.partitions, 7);
        let entries: Vec<(String, Option<String>)> = config
            .options()
            .entries()
            .into_iter()
            .filter(|e| e.key.starts_with("dbgen."))
            .map(|e| (e.key, e.value))
            .collect();
        assert_eq!(
            entries,
            [
                ("dbgen.io_backend".to_string(), Some("inline".to_string())),
                ("dbgen.partitions".to_string(), Some("7".to_string())),
            ]
        );
        // What Ballista ships comes back through `set` with its full key.
        let mut shipped = DbgenOptions::default();
        for (key, value) in entries {
            shipped.set(&key, value.as_deref().unwrap()).unwrap();
        }
        assert_eq!(shipped, got);
    }

    #[test]
    fn bad_values_are_errors() {
        let mut options = DbgenOptions::default();
        let err = options.set("io_backend", "foo").unwrap_err().to_string();
        assert!(err.contains("dbgen.io_backend"), "{err}");
        assert!(options.set("partitions", "-1").is_err());
        assert!(options.set("nope", "1").is_err());
    }
}
