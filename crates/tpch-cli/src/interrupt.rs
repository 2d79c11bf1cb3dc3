//! Ctrl-C, SIGTERM and SIGHUP: the first one asks the running job to stop (it removes its
//! temporary files and keeps what it finished); a second one exits at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use datafusion_dbgen::Error;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// The shared stop request, set by the first SIGINT, SIGTERM or SIGHUP.
#[derive(Clone)]
pub(crate) struct Interrupt {
    requested: Arc<AtomicBool>,
    signal: Arc<AtomicUsize>,
}

impl Interrupt {
    /// Installs the handlers. A second signal of any of them exits with 128 + its number, as
    /// shells report a process killed by it. SIGHUP is left alone when it is ignored on entry
    /// (`nohup tpch …`): the caller asked for the run to outlive the terminal.
    pub(crate) fn install() -> Result<Self, Error> {
        let interrupt = Interrupt {
            requested: Arc::new(AtomicBool::new(false)),
            signal: Arc::new(AtomicUsize::new(0)),
        };
        let hangup = (!ignored_on_entry(SIGHUP)).then_some(SIGHUP);
        for sig in [SIGINT, SIGTERM].into_iter().chain(hangup) {
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

    /// The exit status for a stopped run: 128 + the signal's number (129 after SIGHUP, 130
    /// after SIGINT, 143 after SIGTERM), 130 if no signal was recorded.
    pub(crate) fn exit_status(&self) -> u8 {
        exit_status(self.signal.load(Ordering::SeqCst))
    }

    /// Forgets a stop request that was handled without ending the command (Ctrl-C that
    /// cancelled one statement at the interactive prompt): the next signal is a first one again.
    pub(crate) fn clear(&self) {
        self.requested.store(false, Ordering::SeqCst);
    }

    /// Resolves once a stop is requested (polled: signal handlers may only set flags).
    pub(crate) async fn wait(&self) {
        while !self.requested() {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

/// 128 + `signal` for the signals handled here, else 130 (as for Ctrl-C).
fn exit_status(signal: usize) -> u8 {
    match i32::try_from(signal) {
        Ok(sig @ (SIGHUP | SIGINT | SIGTERM)) => u8::try_from(128 + sig).unwrap_or(130),
        _ => 130,
    }
}

/// Whether `signal` is ignored, as `nohup` leaves SIGHUP (call it before installing a handler
/// for `signal`). Read from Linux's `/proc/self/status` (its `SigIgn` mask); elsewhere taken as
/// not ignored.
pub(crate) fn ignored_on_entry(signal: i32) -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| ignored_in_status(&status, signal))
        .unwrap_or(false)
}

/// Whether the `SigIgn:` line of a `/proc/<pid>/status` text has `signal`'s bit set; `None`
/// if the line is missing or malformed.
fn ignored_in_status(status: &str, signal: i32) -> Option<bool> {
    let mask = status
        .lines()
        .find_map(|line| line.strip_prefix("SigIgn:"))?
        .trim();
    let mask = u64::from_str_radix(mask, 16).ok()?;
    let bit = u32::try_from(signal).ok()?.checked_sub(1)?;
    Some(mask.checked_shr(bit)? & 1 == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_is_128_plus_the_signal() {
        assert_eq!(exit_status(SIGHUP as usize), 129);
        assert_eq!(exit_status(SIGINT as usize), 130);
        assert_eq!(exit_status(SIGTERM as usize), 143);
        assert_eq!(exit_status(0), 130);
    }

    #[test]
    fn sigign_mask_is_read() {
        // SIGHUP (1) and SIGPIPE (13) ignored.
        let status = "Name:\ttpch\nSigIgn:\t0000000000001001\nSigCgt:\t0\n";
        assert_eq!(ignored_in_status(status, SIGHUP), Some(true));
        assert_eq!(ignored_in_status(status, SIGINT), Some(false));
        assert_eq!(ignored_in_status("Name:\ttpch\n", SIGHUP), None);
        assert_eq!(ignored_in_status("SigIgn:\tzz\n", SIGHUP), None);
    }
}
