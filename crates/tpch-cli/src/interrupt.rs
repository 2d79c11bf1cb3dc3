//! Ctrl-C and SIGTERM: the first one asks the running job to stop (it removes its temporary
//! files and keeps what it finished); a second one exits at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use datafusion_dbgen::Error;
use signal_hook::consts::{SIGINT, SIGTERM};

/// The shared stop request, set by the first SIGINT or SIGTERM.
#[derive(Clone)]
pub(crate) struct Interrupt {
    requested: Arc<AtomicBool>,
    signal: Arc<AtomicUsize>,
}

impl Interrupt {
    /// Installs the handlers. A second signal of either kind exits with 128 + its number, as
    /// shells report a process killed by it.
    pub(crate) fn install() -> Result<Self, Error> {
        let interrupt = Interrupt {
            requested: Arc::new(AtomicBool::new(false)),
            signal: Arc::new(AtomicUsize::new(0)),
        };
        for sig in [SIGINT, SIGTERM] {
            let install = || -> std::io::Result<()> {
                // Registered first so it sees the flag as the previous signal left it.
                signal_hook::flag::register_conditional_shutdown(
                    sig,
                    128 + sig,
                    Arc::clone(&interrupt.requested),
                )?;
                signal_hook::flag::register_usize(
                    sig,
                    Arc::clone(&interrupt.signal),
                    sig as usize,
                )?;
                signal_hook::flag::register(sig, Arc::clone(&interrupt.requested))?;
                Ok(())
            };
            install().map_err(|e| {
                Error::InvalidOption(format!("cannot install signal handlers: {e}"))
            })?;
        }
        Ok(interrupt)
    }

    /// The flag the exporter polls.
    pub(crate) fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.requested)
    }

    /// Whether a stop was requested.
    pub(crate) fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// The exit status for a stopped run: 130 after SIGINT, 143 after SIGTERM.
    pub(crate) fn exit_status(&self) -> u8 {
        match self.signal.load(Ordering::SeqCst) as i32 {
            SIGTERM => 143,
            _ => 130,
        }
    }

    /// Resolves once a stop is requested (polled: signal handlers may only set flags).
    pub(crate) async fn wait(&self) {
        while !self.requested() {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}
