//! The COPY writer's session settings, a DataFusion [`ConfigExtension`] under `dbgen.`:
//! `SET dbgen.io_backend = 'inline'` changes the back end of the next COPY of that session.

use datafusion::common::config::ConfigExtension;
use datafusion::common::extensions_options;
use datafusion::error::{DataFusionError, Result};

use crate::sink::{BackendChoice, SinkConfig};

extensions_options! {
    /// Settings of the crate's COPY writer, set with `SET dbgen.<name> = …` or on the
    /// [`SessionConfig`](datafusion::prelude::SessionConfig) (registered by
    /// [`register_with`](super::register_with)).
    pub struct DbgenOptions {
        /// I/O back end of `COPY … TO`: auto, io_uring, portable or inline. Empty (the default)
        /// keeps the one the writer was registered with.
        pub io_backend: String, default = String::new()
    }
}

impl ConfigExtension for DbgenOptions {
    const PREFIX: &'static str = "dbgen";
}

impl DbgenOptions {
    /// `sink` with these settings applied.
    pub fn apply(&self, mut sink: SinkConfig) -> Result<SinkConfig> {
        if !self.io_backend.trim().is_empty() {
            sink.backend = BackendChoice::parse(&self.io_backend)
                .map_err(|e| DataFusionError::Configuration(format!("dbgen.io_backend: {e}")))?;
        }
        Ok(sink)
    }
}
