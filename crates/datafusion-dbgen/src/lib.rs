//! # datafusion-dbgen
//!
//! TPC-H data as a first-class citizen of Apache DataFusion: generated while it is scanned,
//! byte-identical to the official TPC dbgen at every scale factor, with O(log n) skip-ahead so
//! any part of any table is generated independently.
//!
//! The crate is the pipeline after generation: [`generator`] (the `tpch-dbgen` crate: dbgen's
//! typed rows and column vectors) → [`arrow`] (record batches) → [`provider`] (DataFusion tables
//! generated while scanned, catalog, table functions) or [`export`] (chunking, `.tbl`/CSV/Parquet
//! encoders) → [`sink`] (one shared io_uring ring writing many files, a portable fallback, or
//! inline writes) → files. [`copy`] (SQL `COPY`), [`bench`](mod@bench) (the 22 queries, TPC-H runs) and
//! `distributed` (Ballista, feature `ballista`) are thin layers over the same pieces.

#![warn(missing_docs)]

pub mod arrow;
pub mod bench;
pub mod config;
pub mod copy;
#[cfg(feature = "ballista")]
pub mod distributed;
pub mod error;
pub mod export;
pub mod provider;
pub mod session;
pub mod sink;
pub mod store;

pub use error::{Error, Result};
/// The generator core: the `tpch-dbgen` crate.
pub use tpch_dbgen as generator;

// README's Rust examples run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExamples;
pub use generator::{ScaleFactor, Table};
