//! `tpch`: generate TPC-H data (dbgen-identical) as .tbl, CSV or Parquet.

mod gen_cmd;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Gen(args) => gen_cmd::generate(args),
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
