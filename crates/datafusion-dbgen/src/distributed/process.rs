//! The cluster's long-running processes: a Ballista scheduler and a Ballista executor that know
//! the crate's codecs (Ballista's stock binaries cannot decode the generating tables' plan
//! nodes). `tpch cluster scheduler|executor` are these functions.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ballista_core::RuntimeProducer;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::{create_scheduler, start_grpc_service_with_listener};
use datafusion::error::{DataFusionError, Result};
use datafusion_proto::protobuf::{LogicalPlanNode, PhysicalPlanNode};

use super::cluster::{
    ballista_config, ballista_err, state_over, store_registry, with_cluster_partitions,
};
use super::codec::{logical_codec, physical_codec};
use crate::store::{StorageOptions, StoreRegistry};

/// How long an executor waits for its scheduler to accept connections before giving up.
const SCHEDULER_WAIT: Duration = Duration::from_secs(30);

/// Where a scheduler listens.
#[derive(Clone, Debug)]
pub struct SchedulerOptions {
    /// Host or address to bind (`127.0.0.1`, `0.0.0.0`).
    pub bind: String,
    /// Port to bind; 0 picks a free one (printed through `ready`).
    pub port: u16,
    /// An executor silent for this long is lost: its running tasks are scheduled again
    /// elsewhere (Ballista's default, 180 s). Keep it above the executors' heartbeat interval.
    pub executor_timeout: Duration,
    /// Settings of the object stores the scheduler lists Parquet files in (after the
    /// environment's).
    pub storage_options: StorageOptions,
    /// How long a query waits for an executor when none is registered, before it fails saying
    /// so (instead of waiting forever).
    pub executor_wait: Duration,
}

impl Default for SchedulerOptions {
    fn default() -> Self {
        SchedulerOptions {
            bind: "127.0.0.1".into(),
            port: 50050,
            executor_timeout: Duration::from_secs(180),
            storage_options: StorageOptions::new(),
            executor_wait: Duration::from_secs(30),
        }
    }
}

/// Runs a scheduler until `shutdown` resolves (the `tpch cluster scheduler` command passes
/// SIGINT or SIGTERM). `ready` is called with the bound address once the port is open (clients
/// and executors can connect from then on).
pub async fn run_scheduler(
    options: SchedulerOptions,
    ready: impl FnOnce(SocketAddr),
    shutdown: impl Future<Output = ()>,
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind((options.bind.as_str(), options.port))
        .await
        .map_err(|e| {
            DataFusionError::Execution(format!(
                "cannot listen on {}:{}: {e}",
                options.bind, options.port
            ))
        })?;
    let address = listener.local_addr()?;
    let mut config = SchedulerConfig::default()
        .with_hostname(options.bind.clone())
        .with_port(address.port());
    config.bind_host = options.bind;
    let timeout = options.executor_timeout.as_secs().max(1);
    config.executor_timeout_seconds = timeout;
    config.no_executors_grace_period_seconds = timeout;
    // Check for lost executors a few times per timeout (Ballista: every 15 s).
    config.expire_dead_executor_interval_seconds = (timeout / 3).clamp(1, 15);
    config.override_logical_codec = Some(logical_codec());
    config.override_physical_codec = Some(physical_codec());
    // A client's own settings (target partitions, …) are applied over this base per session.
    config.override_config_producer = Some(Arc::new(|| ballista_config(1)));
    // Jobs that leave their partitions to the cluster get its current task slots.
    let slots = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&slots);
    // Planning a Parquet scan in a bucket lists it here: the sessions reach object stores.
    let runtime = StoreRegistry::runtime(&store_registry(&options.storage_options), None)?;
    let wait = options.executor_wait;
    config.override_session_builder = Some(Arc::new(move |config| {
        // Every query builds its session here first: with no executor it would wait forever.
        let slots = wait_for_slots(&seen, wait);
        if slots == 0 {
            return Err(DataFusionError::Execution(format!(
                "no executor is registered with this scheduler (waited {} s): start one with \
                 `tpch cluster executor --scheduler HOST:PORT`",
                wait.as_secs()
            )));
        }
        Ok(state_over(
            with_cluster_partitions(config, slots),
            Arc::clone(&runtime),
        ))
    }));
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(ballista_err)?;
    let scheduler =
        create_scheduler::<LogicalPlanNode, PhysicalPlanNode>(cluster, Arc::new(config))
            .await
            .map_err(ballista_err)?;
    let state = Arc::clone(&scheduler.state);
    tokio::spawn(async move {
        loop {
            if let Ok(executors) = state.executor_manager.get_executors_state().await {
                // Registered executors (lost ones are removed after --executor-timeout).
                let total: u32 = executors
                    .iter()
                    .map(|(metadata, _, _)| metadata.specification.vcores)
                    .sum();
                slots.store(total as usize, Ordering::Relaxed);
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    ready(address);
    tokio::select! {
        served = start_grpc_service_with_listener(listener, scheduler) => served.map_err(ballista_err),
        () = shutdown => {
            log::info!("scheduler stopping");
            Ok(())
        }
    }
}

/// The task slots the scheduler's executors offer, waiting up to `wait` for an executor to
/// register when there is none (0: none came). The wait blocks the calling worker thread, so
/// it moves the worker's other tasks elsewhere first (executors register meanwhile).
fn wait_for_slots(slots: &AtomicUsize, wait: Duration) -> usize {
    let poll = || {
        let deadline = Instant::now() + wait;
        loop {
            let now = slots.load(Ordering::Relaxed);
            if now > 0 || Instant::now() >= deadline {
                return now;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    match slots.load(Ordering::Relaxed) {
        0 => match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
            Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(poll),
            _ => poll(),
        },
        n => n,
    }
}

/// What an executor connects to and where it listens.
#[derive(Clone, Debug)]
pub struct ExecutorOptions {
    /// The scheduler's host.
    pub scheduler_host: String,
    /// The scheduler's port.
    pub scheduler_port: u16,
    /// Host or address to bind; also the address the scheduler and clients are told.
    pub bind: String,
    /// Arrow Flight port (shuffle and result fetches).
    pub port: u16,
    /// gRPC port the scheduler pushes tasks to.
    pub grpc_port: u16,
    /// Task slots: tasks run at the same time (0: one per core).
    pub concurrent_tasks: usize,
    /// Directory for shuffle files (default: a temporary directory).
    pub work_dir: Option<String>,
    /// How often the executor tells the scheduler it is alive (Ballista's default, 60 s).
    pub heartbeat_interval: Duration,
    /// Settings of the object stores the executor reads Parquet files from and writes
    /// distributed exports to (after the environment's).
    pub storage_options: StorageOptions,
}

impl Default for ExecutorOptions {
    fn default() -> Self {
        ExecutorOptions {
            scheduler_host: "localhost".into(),
            scheduler_port: 50050,
            bind: "127.0.0.1".into(),
            port: 50051,
            grpc_port: 50052,
            concurrent_tasks: 0,
            work_dir: None,
            heartbeat_interval: Duration::from_secs(60),
            storage_options: StorageOptions::new(),
        }
    }
}

/// Runs an executor until SIGINT or SIGTERM (Ballista's executor handles both: it tells the
/// scheduler it is leaving and lets its running tasks drain). Waits up to 30 s for the
/// scheduler to accept connections first.
pub async fn run_executor(options: ExecutorOptions) -> Result<()> {
    if options.port == 0 || options.grpc_port == 0 {
        return Err(DataFusionError::Configuration(
            "an executor needs fixed ports (it tells the scheduler where it listens)".into(),
        ));
    }
    if options.port == options.grpc_port {
        return Err(DataFusionError::Configuration(format!(
            "the executor's Flight and gRPC ports must differ (both {})",
            options.port
        )));
    }
    check_executor(&options)?;
    wait_for(&options.scheduler_host, options.scheduler_port).await?;
    // Every task's runtime reaches object stores, sharing the stores built so far.
    let registry = store_registry(&options.storage_options);
    let temp_dir = options.work_dir.clone();
    let runtime_producer: RuntimeProducer =
        Arc::new(move |_| StoreRegistry::runtime(&registry, temp_dir.as_deref()));
    let config = ExecutorProcessConfig {
        bind_host: options.bind.clone(),
        external_host: Some(options.bind),
        port: options.port,
        grpc_port: options.grpc_port,
        scheduler_host: options.scheduler_host,
        scheduler_port: options.scheduler_port,
        vcores: options.concurrent_tasks,
        work_dir: options.work_dir,
        executor_heartbeat_interval_seconds: options.heartbeat_interval.as_secs().max(1),
        override_logical_codec: Some(logical_codec()),
        override_physical_codec: Some(physical_codec()),
        override_config_producer: Some(Arc::new(|| ballista_config(1))),
        override_runtime_producer: Some(runtime_producer),
        ..ExecutorProcessConfig::default()
    };
    start_executor_process(Arc::new(config))
        .await
        .map_err(ballista_err)
}

/// What would make an executor fail after it registered, checked before: its two ports are
/// free to listen on, and its work directory (when given) can be created and written.
pub fn check_executor(options: &ExecutorOptions) -> Result<()> {
    for port in [options.port, options.grpc_port] {
        std::net::TcpListener::bind((options.bind.as_str(), port)).map_err(|e| {
            DataFusionError::Configuration(format!(
                "the executor cannot listen on {}:{port}: {e}",
                options.bind
            ))
        })?;
    }
    if let Some(dir) = &options.work_dir {
        let unusable = |e: std::io::Error| {
            DataFusionError::Configuration(format!(
                "the executor's work directory {dir} is unusable: {e}"
            ))
        };
        super::writable_dir(std::path::Path::new(dir)).map_err(unusable)?;
    }
    Ok(())
}

/// Waits until `host:port` accepts a TCP connection, for at most [`SCHEDULER_WAIT`].
async fn wait_for(host: &str, port: u16) -> Result<()> {
    let started = Instant::now();
    loop {
        match tokio::net::TcpStream::connect((host, port)).await {
            Ok(_) => return Ok(()),
            Err(e) if started.elapsed() >= SCHEDULER_WAIT => {
                return Err(DataFusionError::Execution(format!(
                    "no scheduler at {host}:{port} after {} s: {e}",
                    SCHEDULER_WAIT.as_secs()
                )));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}
