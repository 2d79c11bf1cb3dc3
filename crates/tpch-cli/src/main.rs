//! `tpch`: generate TPC-H data (dbgen-identical) as .tbl, CSV or Parquet.

mod bench_cmd;
mod bench_compare_cmd;
#[cfg(feature = "ballista")]
mod cluster_cmd;
#[cfg(feature = "ballista")]
mod cluster_log;
mod gen_cmd;
mod interrupt;
mod output;
mod plot;
mod queries_cmd;
mod query_cmd;
mod values;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Parser, Subcommand};
use datafusion_dbgen::Error;

use crate::interrupt::Interrupt;

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
    /// Run SQL over the TPC-H tables (-e, -f, or an interactive prompt); COPY writes files.
    Query(query_cmd::QueryArgs),
    /// Run the 22 TPC-H queries as a benchmark, optionally verifying the answers; compare and
    /// plot the reports (`tpch bench compare|plot`).
    Bench(bench_cmd::BenchArgs),
    /// Print a TPC-H query stream as TPC qgen makes it (-s SF -r SEED -p N): SQL or parameters.
    Queries(queries_cmd::QueriesArgs),
    /// Run a Ballista scheduler or executor that knows the generating tables.
    #[cfg(feature = "ballista")]
    Cluster(cluster_cmd::ClusterArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let interrupt = match Interrupt::install() {
        Ok(interrupt) => interrupt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Only `gen` lists its finished files when stopped: a `query` or `bench` has none (a COPY's
    // temporary files go with it), so it says just "interrupted".
    let writes_files = matches!(cli.command, Command::Gen(_));
    let result = match cli.command {
        Command::Gen(args) => gen_cmd::generate(args, &interrupt),
        Command::Query(args) => query_cmd::query(args, &interrupt),
        Command::Bench(args) => bench_cmd::bench(args, &interrupt),
        Command::Queries(args) => queries_cmd::queries(args),
        #[cfg(feature = "ballista")]
        Command::Cluster(args) => cluster_cmd::cluster(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head`): as if killed by SIGPIPE, without a word.
        Err(e) if output::is_closed_pipe(&e) => ExitCode::from(output::CLOSED_PIPE_STATUS),
        Err(Error::Cancelled { finished }) if writes_files => {
            eprintln!(
                "interrupted: temporary files removed; {} file(s) finished before the stop",
                finished.len()
            );
            for file in &finished {
                eprintln!("  {}", file.display());
            }
            ExitCode::from(interrupt.exit_status())
        }
        Err(Error::Cancelled { .. }) => {
            eprintln!("interrupted");
            ExitCode::from(interrupt.exit_status())
        }
        Err(_) if interrupt.requested() => {
            eprintln!("interrupted");
            ExitCode::from(interrupt.exit_status())
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Help and version print as clap renders them; a usage error prints its first paragraph on
/// one line (the value, the flag and what it accepts) and exits with 2.
fn usage_error(e: clap::Error) -> ExitCode {
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit();
    }
    let rendered = e.render().to_string();
    let first_paragraph: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .take_while(|line| !line.is_empty())
        .collect();
    let line = first_paragraph.join(" ");
    let line = line.strip_prefix("error: ").unwrap_or(&line);
    eprintln!("error: {line}");
    ExitCode::from(2)
}
