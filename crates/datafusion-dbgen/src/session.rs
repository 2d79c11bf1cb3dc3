//! One way to build a DataFusion session that knows TPC-H: [`TpchSession`].
//!
//! It adds, to a caller's own state or context, everything the crate offers a session: the
//! crate's settings (`dbgen.*`, [`DbgenOptions`]), the `tpch` catalog (`tpch.sf1.lineitem`),
//! the table functions (`tpch_lineitem(0.1)`, `tpch_queries()`, …), the crate's `COPY` writer
//! for `parquet`, `csv` and `tbl`, and — when asked — the eight generating tables of one scale
//! factor under their own names. `tpch query`, `tpch bench`, the benchmark's sources and the
//! Ballista client all build their sessions with it.
//!
//! ```
//! use datafusion::execution::SessionStateBuilder;
//! use datafusion::prelude::SessionConfig;
//! use datafusion_dbgen::session::TpchSession;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> datafusion::error::Result<()> {
//! // The caller's own state: its configuration, runtime, object stores and functions stay.
//! let state = SessionStateBuilder::new()
//!     .with_config(SessionConfig::new().with_target_partitions(2))
//!     .with_default_features()
//!     .build();
//! let ctx = TpchSession::new().with_tables(0.01)?.build(state)?;
//! let batches = ctx
//!     .sql("SELECT (SELECT count(*) FROM nation) AS here, \
//!                  (SELECT count(*) FROM tpch.sf1.nation) AS catalog, \
//!                  (SELECT count(*) FROM tpch_region(0.01)) AS function")
//!     .await?
//!     .collect()
//!     .await?;
//! datafusion::assert_batches_eq!(
//!     [
//!         "+------+---------+----------+",
//!         "| here | catalog | function |",
//!         "+------+---------+----------+",
//!         "| 25   | 25      | 5        |",
//!         "+------+---------+----------+",
//!     ],
//!     &batches
//! );
//! ctx.sql("SET dbgen.io_backend = 'inline'").await?; // the crate's settings are there too
//! # Ok(())
//! # }
//! ```

use datafusion::error::Result;
use datafusion::execution::context::SessionState;
use datafusion::optimizer::AnalyzerRule;
use datafusion::prelude::{SessionConfig, SessionContext};

use std::sync::Arc;

use crate::config::{DbgenOptions, with_dbgen_options};
use crate::copy::CopyConfig;
use crate::provider::{register_tpch, register_tpch_catalog, register_tpch_functions};
use crate::store::{ObjectStores, StorageOptions, StoreRegistry};
use tpch_dbgen::ScaleFactor;

/// What the crate adds to a session; see the module docs. The default adds the settings, the
/// catalog, the table functions and the COPY writer (back end `auto`), and no tables.
#[derive(Clone, Debug, PartialEq)]
pub struct TpchSession {
    tables: Option<ScaleFactor>,
    catalog: bool,
    functions: bool,
    copy: Option<CopyConfig>,
    storage: StorageOptions,
}

impl Default for TpchSession {
    fn default() -> Self {
        TpchSession {
            tables: None,
            catalog: true,
            functions: true,
            copy: Some(CopyConfig::default()),
            storage: StorageOptions::new(),
        }
    }
}

impl TpchSession {
    /// The default: settings, catalog, table functions and COPY writer; no tables.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also registers the eight generating tables of `sf` under their own names (`lineitem`,
    /// `orders`, …) in the default schema, so the 22 queries run unmodified.
    pub fn with_tables<S>(mut self, sf: S) -> Result<Self>
    where
        S: TryInto<ScaleFactor>,
        crate::Error: From<S::Error>,
    {
        self.tables = Some(sf.try_into().map_err(crate::Error::from)?);
        Ok(self)
    }

    /// The crate's COPY writer with `copy` (`None`: COPY keeps DataFusion's own writers, e.g.
    /// on a Ballista client, or to compare with them).
    pub fn with_copy(mut self, copy: Option<CopyConfig>) -> Self {
        self.copy = copy;
        self
    }

    /// Whether to register the `tpch` catalog (default yes).
    pub fn with_catalog(mut self, catalog: bool) -> Self {
        self.catalog = catalog;
        self
    }

    /// Settings of the object stores `s3://`, `gs://` and `az://` URLs reach (after the
    /// environment's): for Parquet sources and `SELECT … FROM 's3://…'` in buckets, and for
    /// `COPY … TO 's3://…'`. A [`context`](TpchSession::context) builds a bucket's store on first
    /// use ([`StoreRegistry`]); a context over the caller's state uses the stores registered in
    /// its runtime for reading.
    pub fn with_storage_options(mut self, storage: StorageOptions) -> Self {
        self.storage = storage;
        self
    }

    /// Whether to register the table functions (default yes).
    pub fn with_functions(mut self, functions: bool) -> Self {
        self.functions = functions;
        self
    }

    /// `config` with the crate's settings in it ([`DbgenOptions`], kept when already there):
    /// for a `SessionStateBuilder` or a Ballista client's configuration.
    pub fn config(config: SessionConfig) -> SessionConfig {
        with_dbgen_options(config)
    }

    /// A context over the caller's `state` with everything added.
    pub fn build(&self, state: SessionState) -> Result<SessionContext> {
        let ctx = SessionContext::new_with_state(state);
        self.register(&ctx)?;
        Ok(ctx)
    }

    /// A context with `config` (plus the crate's settings) and everything added.
    pub fn context(&self, config: SessionConfig) -> Result<SessionContext> {
        let stores = Arc::new(ObjectStores::new(self.storage.clone()));
        let registry = Arc::new(StoreRegistry::new(Arc::clone(&stores)));
        let runtime = StoreRegistry::runtime(&registry, None)?;
        let config = Self::config(config).with_extension(stores);
        let ctx = SessionContext::new_with_config_rt(config, runtime);
        self.register(&ctx)?;
        Ok(ctx)
    }

    /// Adds everything to an existing context (its configuration, runtime and other tables
    /// stay as they are). Fails when a table's name is already taken.
    pub fn register(&self, ctx: &SessionContext) -> Result<()> {
        {
            let state = ctx.state_ref();
            let mut state = state.write();
            let options = state.config_mut().options_mut();
            if options.extensions.get::<DbgenOptions>().is_none() {
                options.extensions.insert(DbgenOptions::default());
            }
            let config = state.config_mut();
            if config.get_extension::<ObjectStores>().is_none() {
                config.set_extension(Arc::new(ObjectStores::new(self.storage.clone())));
            }
        }
        // Parquet writer settings that would panic the writer are refused whichever writer
        // runs the COPY (ours, or DataFusion's when `copy` is `None`).
        let check = crate::copy::CopyOptionsCheck::new(self.copy.is_some());
        let checked = ctx
            .state_ref()
            .read()
            .analyzer()
            .rules
            .iter()
            .any(|rule| rule.name() == check.name());
        if !checked {
            ctx.add_analyzer_rule(Arc::new(check));
        }
        if self.catalog {
            register_tpch_catalog(ctx);
        }
        if self.functions {
            register_tpch_functions(ctx);
        }
        match &self.copy {
            Some(copy) => crate::copy::register_with(ctx, copy.clone())?,
            // `STORED AS TBL` then plans to a COPY the check above refuses with its reason.
            None => crate::copy::register_tbl_name(ctx)?,
        }
        if let Some(sf) = self.tables {
            register_tpch::<ScaleFactor>(ctx, sf)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn tables(ctx: &SessionContext) -> Vec<String> {
        let mut names: Vec<String> = ctx
            .catalog("datafusion")
            .and_then(|c| c.schema("public"))
            .map(|s| s.table_names())
            .unwrap_or_default();
        names.sort();
        names
    }

    #[tokio::test]
    async fn adds_what_it_is_asked_for() {
        let bare = TpchSession::new()
            .with_catalog(false)
            .with_functions(false)
            .with_copy(None)
            .context(SessionConfig::new())
            .unwrap();
        assert!(bare.catalog("tpch").is_none());
        assert!(bare.sql("SELECT * FROM tpch_nation(0.01)").await.is_err());
        assert!(tables(&bare).await.is_empty());
        // The settings are always there.
        bare.sql("SET dbgen.partitions = 3").await.unwrap();

        let full = TpchSession::new()
            .with_tables(0.01)
            .unwrap()
            .context(SessionConfig::new())
            .unwrap();
        assert!(full.catalog("tpch").is_some());
        assert_eq!(tables(&full).await.len(), 8);
        let n = full
            .sql("SELECT count(*) FROM tpch_nation(0.01)")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        assert_eq!(n[0].num_rows(), 1);
        // Registering twice fails on the taken names instead of replacing the tables.
        assert!(
            TpchSession::new()
                .with_tables(0.01)
                .unwrap()
                .register(&full)
                .is_err()
        );
    }

    #[test]
    fn bad_scale_factors_are_errors() {
        assert!(TpchSession::new().with_tables(-1.0).is_err());
    }
}
