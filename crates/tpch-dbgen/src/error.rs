//! The generator's error type: bad parameters, never I/O (the generator does none).

/// What can be wrong with a request to the generator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scale factor outside what dbgen accepts.
    #[error("invalid scale factor {0}: expected a number from 0.001 to 100000")]
    InvalidScaleFactor(String),
    /// A table name that is not one of the eight TPC-H tables.
    #[error(
        "unknown table '{0}': expected one of region, nation, supplier, customer, part, partsupp, orders, lineitem"
    )]
    UnknownTable(String),
    /// A chunk count of zero.
    #[error("invalid number of parts {0}: expected at least 1")]
    InvalidParts(u64),
    /// A chunk index outside `1..=parts`.
    #[error("part {part} out of range: expected a number from 1 to {parts}")]
    PartOutOfRange {
        /// The requested part (1-based).
        part: u64,
        /// The number of parts.
        parts: u64,
    },
    /// An invalid option or combination of options (e.g. a refresh set the scale factor lacks).
    #[error("{0}")]
    InvalidOption(String),
}

impl From<std::convert::Infallible> for Error {
    /// Lets APIs that take `impl TryInto<ScaleFactor>` accept a `ScaleFactor` itself.
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

/// Shorthand for results of the generator.
pub type Result<T, E = Error> = std::result::Result<T, E>;
