//! A small stderr logger for the cluster processes: Ballista logs through the `log` facade,
//! and a process without a logger says nothing about the jobs and executors it manages.

use std::io::Write;

use log::{Level, Log, Metadata, Record};

struct StderrLogger {
    /// The most detailed level printed for Ballista's own modules.
    ballista: Level,
}

impl Log for StderrLogger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        let ours = metadata.target().starts_with("ballista")
            || metadata.target().starts_with("datafusion_dbgen");
        metadata.level() <= if ours { self.ballista } else { Level::Warn }
    }

    fn log(&self, record: &Record) {
        if self.enabled(record.metadata()) {
            let _ = writeln!(
                std::io::stderr().lock(),
                "{} {:<5} {}: {}",
                unix_seconds(),
                record.level(),
                record.target(),
                record.args()
            );
        }
    }

    fn flush(&self) {}
}

fn unix_seconds() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!("{}.{:03}", now.as_secs(), now.subsec_millis())
}

/// Sends Ballista's log records (at `level` and above; other crates' warnings and errors) to
/// stderr. A second call, or a logger installed elsewhere first, is left as it is.
pub fn log_to_stderr(level: Level) {
    let logger: &'static StderrLogger = Box::leak(Box::new(StderrLogger { ballista: level }));
    if log::set_logger(logger).is_ok() {
        log::set_max_level(level.to_level_filter());
    }
}
