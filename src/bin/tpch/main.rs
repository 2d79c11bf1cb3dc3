//! `tpch`: generate TPC-H data (dbgen-identical) as .tbl, CSV or Parquet.

#[cfg(feature = "datafusion")]
mod bench_cmd;
mod gen_cmd;
#[cfg(feature = "datafusion")]
mod query_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use datafusion_dbgen::{Error, ScaleFactor};

#[derive(Parser)]
#[command(
    name = "tpch",
    version,
    about = "TPC-H data, byte-identical to dbgen, generated in parallel"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate tables into files.
    Gen(gen_cmd::GenArgs),
    /// Run SQL over the eight tables (-e, -f, or an interactive prompt).
    #[cfg(feature = "datafusion")]
    Query(query_cmd::QueryArgs),
    /// Run the 22 TPC-H queries as a benchmark, optionally verifying the answers.
    #[cfg(feature = "datafusion")]
    Bench(bench_cmd::BenchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Gen(args) => gen_cmd::generate(args),
        #[cfg(feature = "datafusion")]
        Command::Query(args) => query_cmd::query(args),
        #[cfg(feature = "datafusion")]
        Command::Bench(args) => bench_cmd::bench(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

pub(crate) fn parse_sf(text: &str) -> Result<ScaleFactor, Error> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| Error::InvalidScaleFactor(text.to_string()))?;
    ScaleFactor::new(value)
}
