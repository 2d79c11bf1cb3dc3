//! # datafusion-dbgen
//!
//! TPC-H data as a first-class citizen of Apache DataFusion: generated while it is scanned,
//! byte-identical to the official TPC dbgen at every scale factor, with O(log n) skip-ahead so
//! any part of any table is generated independently.
//!
//! The crate is a pipeline: [`generator`] (typed rows) → [`export`] (chunking and file
//! encoders) → [`sink`] (one shared io_uring ring writing many files, with a portable
//! fallback) → files.

#[cfg(feature = "arrow")]
pub mod arrow;
#[cfg(feature = "datafusion")]
pub mod bench;
#[cfg(feature = "datafusion")]
pub mod copy;
#[cfg(feature = "ballista")]
pub mod distributed;
pub mod error;
pub mod export;
pub mod generator;
#[cfg(feature = "datafusion")]
pub mod provider;
pub mod sink;

pub use error::{Error, Result};

// README's Rust examples run as doctests.
#[cfg(all(doctest, feature = "datafusion"))]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
pub use generator::{ScaleFactor, Table};
