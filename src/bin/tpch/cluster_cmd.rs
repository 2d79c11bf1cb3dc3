//! `tpch cluster scheduler|executor`: Ballista's processes with the crate's codecs, so a
//! cluster can plan and run scans of the generating tables.

use std::io::Write;

use datafusion_dbgen::Error;
use datafusion_dbgen::distributed::{
    ExecutorOptions, SchedulerOptions, log_to_stderr, run_executor, run_scheduler,
};

use crate::query_cmd::{one_line, runtime};
use crate::values;

#[derive(clap::Args)]
pub(crate) struct ClusterArgs {
    #[command(subcommand)]
    process: Process,
}

#[derive(clap::Subcommand)]
enum Process {
    /// A scheduler: plans jobs and hands their tasks to the executors.
    Scheduler {
        /// Host or address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Port to listen on (0 picks a free one; the address is printed).
        #[arg(long, default_value_t = 50050)]
        port: u16,
    },
    /// An executor: runs tasks, generating each scan part where it runs.
    Executor {
        /// The scheduler, HOST:PORT (a df:// prefix is accepted).
        #[arg(long, value_parser = values::host_port)]
        scheduler: (String, u16),
        /// Host or address to listen on (also what the scheduler is told).
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Arrow Flight port (results and shuffles); the gRPC port is the next one unless given.
        #[arg(long, default_value_t = 50051, value_parser = values::at_least_one::<u16>)]
        port: u16,
        /// gRPC port the scheduler sends tasks to (default: --port + 1).
        #[arg(long, value_parser = values::at_least_one::<u16>)]
        grpc_port: Option<u16>,
        /// Tasks run at the same time (default: one per core).
        #[arg(long, value_parser = values::at_least_one::<usize>)]
        concurrent_tasks: Option<usize>,
        /// Directory for shuffle files (default: a temporary directory).
        #[arg(long)]
        work_dir: Option<String>,
    },
}

pub(crate) fn cluster(args: ClusterArgs) -> Result<(), Error> {
    log_to_stderr(log::Level::Info);
    let runtime = runtime()?;
    let result = match args.process {
        Process::Scheduler { bind, port } => {
            let options = SchedulerOptions { bind, port };
            runtime.block_on(run_scheduler(options, |address| {
                // The one line on stdout: scripts read the port from it.
                println!("scheduler listening on {address}");
                let _ = std::io::stdout().flush();
            }))
        }
        Process::Executor {
            scheduler: (scheduler_host, scheduler_port),
            bind,
            port,
            grpc_port,
            concurrent_tasks,
            work_dir,
        } => {
            let grpc_port = match grpc_port {
                Some(p) => p,
                None => port.checked_add(1).ok_or_else(|| {
                    Error::InvalidOption(format!("--port {port} leaves no port for gRPC"))
                })?,
            };
            println!("executor listening on {bind}:{port} (Flight), {bind}:{grpc_port} (gRPC)");
            let _ = std::io::stdout().flush();
            let options = ExecutorOptions {
                scheduler_host,
                scheduler_port,
                bind,
                port,
                grpc_port,
                concurrent_tasks: concurrent_tasks.unwrap_or(0),
                work_dir,
            };
            runtime.block_on(run_executor(options))
        }
    };
    runtime.shutdown_background();
    result.map_err(|e| Error::InvalidOption(one_line(&e.to_string())))
}
