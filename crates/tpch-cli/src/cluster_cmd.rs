//! `tpch cluster scheduler|executor`: Ballista's processes with the crate's codecs, so a
//! cluster can plan and run scans of the generating tables.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use datafusion::error::DataFusionError;
use datafusion_dbgen::Error;
use datafusion_dbgen::distributed::{
    ExecutorOptions, ExportSpec, ManifestRow, SchedulerOptions, ballista_context, export_tables,
    published_files, remove_cancel_marker, request_cancel, run_executor, run_scheduler,
};
use signal_hook::consts::SIGHUP;
use tokio::sync::oneshot;

use crate::cluster_log::log_to_stderr;
use crate::gen_cmd::GenArgs;
use crate::interrupt::{Interrupt, ignored_on_entry};
use crate::output::outln;
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
        /// Seconds without a heartbeat after which an executor is lost and its tasks run
        /// elsewhere.
        #[arg(long, default_value_t = 180, value_parser = values::at_least_one::<u64>)]
        executor_timeout: u64,
        /// Seconds a query waits for an executor when none is registered, before it fails
        /// saying so.
        #[arg(long, default_value_t = 30, value_parser = values::at_least_one::<u64>)]
        executor_wait: u64,
        /// How the scheduler reaches buckets it lists Parquet files in.
        #[command(flatten)]
        storage: values::StorageArgs,
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
        /// Seconds between heartbeats to the scheduler (keep below its --executor-timeout).
        #[arg(long, default_value_t = 60, value_parser = values::at_least_one::<u64>)]
        heartbeat_interval: u64,
        /// How the executor reaches buckets it reads Parquet files from and exports to.
        #[command(flatten)]
        storage: values::StorageArgs,
    },
}

pub(crate) fn cluster(args: ClusterArgs) -> Result<(), Error> {
    log_to_stderr(log::Level::Info);
    let runtime = runtime()?;
    let result = match args.process {
        Process::Scheduler {
            bind,
            port,
            executor_timeout,
            executor_wait,
            storage,
        } => {
            let options = SchedulerOptions {
                bind,
                port,
                executor_timeout: Duration::from_secs(executor_timeout),
                storage_options: storage.options(),
                executor_wait: Duration::from_secs(executor_wait),
            };
            // A failed print of the address stops the scheduler: scripts would wait for it.
            let (print_failed, printing) = oneshot::channel::<Error>();
            let failure = Cell::new(None);
            let shutdown = async {
                tokio::select! {
                    () = shutdown_signal() => {}
                    Ok(e) = printing => failure.set(Some(e)),
                }
            };
            let served = runtime.block_on(run_scheduler(
                options,
                |address| {
                    // The one line on stdout: scripts read the port from it.
                    if let Err(e) = outln!("scheduler listening on {address}") {
                        let _ = print_failed.send(e);
                    }
                },
                shutdown,
            ));
            if let Some(e) = failure.take() {
                runtime.shutdown_background();
                return Err(e);
            }
            served
        }
        Process::Executor {
            scheduler: (scheduler_host, scheduler_port),
            bind,
            port,
            grpc_port,
            concurrent_tasks,
            work_dir,
            heartbeat_interval,
            storage,
        } => {
            let grpc_port = match grpc_port {
                Some(p) => p,
                None => port.checked_add(1).ok_or_else(|| {
                    Error::InvalidOption(format!("--port {port} leaves no port for gRPC"))
                })?,
            };
            let options = ExecutorOptions {
                scheduler_host,
                scheduler_port,
                bind,
                port,
                grpc_port,
                concurrent_tasks: concurrent_tasks.unwrap_or(0),
                work_dir,
                heartbeat_interval: Duration::from_secs(heartbeat_interval),
                storage_options: storage.options(),
            };
            // Busy ports and an unusable work directory fail here, before "listening".
            datafusion_dbgen::distributed::check_executor(&options)
                .map_err(|e| Error::InvalidOption(one_line(&e.to_string())))?;
            let bind = &options.bind;
            outln!("executor listening on {bind}:{port} (Flight), {bind}:{grpc_port} (gRPC)")?;
            let scheduler = format!("{}:{}", options.scheduler_host, options.scheduler_port);
            let stopped = stop_signals()?;
            match runtime.block_on(run_executor(options)) {
                // Ballista's executor ends without an error when its scheduler stops answering
                // heartbeats; only a signal is a normal end.
                Ok(()) if !stopped.load(Ordering::SeqCst) => {
                    Err(DataFusionError::Execution(format!(
                        "lost the scheduler at {scheduler}: it answered no heartbeat, so this \
                         executor stops"
                    )))
                }
                other => other,
            }
        }
    };
    runtime.shutdown_background();
    result.map_err(|e| Error::InvalidOption(one_line(&e.to_string())))
}

/// A flag set by SIGINT, SIGTERM or SIGHUP (next to Ballista's own handlers, which stop the
/// executor): tells a requested stop from a lost scheduler.
fn stop_signals() -> Result<Arc<AtomicBool>, Error> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM, SIGHUP] {
        signal_hook::flag::register(signal, Arc::clone(&flag))
            .map_err(|e| Error::InvalidOption(format!("cannot install signal handlers: {e}")))?;
    }
    Ok(flag)
}

/// `tpch gen --scheduler URL`: a distributed export, then its manifest.
pub(crate) fn generate_on_cluster(
    args: &GenArgs,
    url: &str,
    interrupt: &Interrupt,
) -> Result<(), Error> {
    let conflicting = [
        (args.part.is_some(), "--part"),
        (args.files_per_table != 1, "--files-per-table"),
        (args.io_backend.is_some(), "--io-backend"),
    ];
    if let Some((_, flag)) = conflicting.iter().find(|(given, _)| *given) {
        return Err(Error::InvalidOption(format!(
            "{flag} does not apply to --scheduler (each task writes one dbgen chunk of --parts)"
        )));
    }
    let parts = args.parts.unwrap_or(4);
    let spec = ExportSpec::new(args.export_options()?, parts as usize);
    let started = Instant::now();
    let sf = args.sf;
    let sent = spec.clone();
    let work = async move {
        let ctx = ballista_context(url, sf, parts as usize).await?;
        export_tables(&ctx, sent).await
    };
    let runtime = runtime()?;
    let outcome = runtime.block_on(async {
        tokio::pin!(work);
        let first = tokio::select! {
            result = &mut work => Some(result),
            () = interrupt.wait() => None,
        };
        if first.is_none() {
            // Ballista's client does not cancel the job when its results are dropped: ask
            // the tasks to stop, and wait (bounded) for the job to end.
            let cancel = spec.clone();
            let asked = tokio::task::spawn_blocking(move || request_cancel(&cancel)).await;
            if matches!(asked, Ok(Ok(()))) {
                let _ = tokio::time::timeout(CANCEL_WAIT, &mut work).await;
            }
        }
        first
    });
    runtime.shutdown_timeout(Duration::from_secs(2));
    remove_cancel_marker(&spec);
    let manifest = match outcome {
        Some(result) => result.map_err(|e| Error::InvalidOption(one_line(&e.to_string())))?,
        None => {
            let finished = published_files(&spec).unwrap_or_else(|e| {
                eprintln!(
                    "cannot tell what was published: {}",
                    one_line(&e.to_string())
                );
                Vec::new()
            });
            return Err(Error::Cancelled { finished });
        }
    };
    print_manifest(&manifest, started.elapsed().as_secs_f64())
}

/// How long an interrupted distributed export waits for its tasks to stop.
const CANCEL_WAIT: Duration = Duration::from_secs(30);

/// The files a distributed export wrote, and its totals.
fn print_manifest(manifest: &[ManifestRow], seconds: f64) -> Result<(), Error> {
    outln!("{:<40} {:>12} {:>14}  executor", "file", "rows", "bytes")?;
    for row in manifest {
        outln!(
            "{:<40} {:>12} {:>14}  {}",
            row.path.display(),
            row.rows,
            row.bytes,
            row.executor
        )?;
    }
    let rows: u64 = manifest.iter().map(|r| r.rows).sum();
    let bytes: u64 = manifest.iter().map(|r| r.bytes).sum();
    let executors: BTreeSet<&str> = manifest.iter().map(|r| r.executor.as_str()).collect();
    outln!(
        "{} files, {rows} rows, {bytes} bytes in {seconds:.2} s by {} executor(s)",
        manifest.len(),
        executors.len()
    )
}

/// Resolves on SIGINT, SIGTERM or SIGHUP (a closed terminal stops the process cleanly too,
/// unless it was started under `nohup`).
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    // A signal not wanted (no handler is installed for it) or whose handler cannot be
    // installed is never received.
    let received = |kind: SignalKind, wanted: bool| async move {
        match wanted.then(|| signal(kind).ok()).flatten() {
            Some(mut stream) => {
                stream.recv().await;
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = received(SignalKind::terminate(), true) => {}
        () = received(SignalKind::hangup(), !ignored_on_entry(SIGHUP)) => {}
    }
}
