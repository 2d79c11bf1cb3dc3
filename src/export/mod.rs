//! Export: encoders that turn generated rows into file formats.

pub mod delimited;
