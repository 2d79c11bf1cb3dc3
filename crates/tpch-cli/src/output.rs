//! Standard output that reports failures instead of panicking as `println!` does: a reader
//! that went away (`| head`) ends the command quietly, a full disk is a one-line error.

use std::fmt;
use std::io::{self, Write};
use std::path::Path;

use datafusion_dbgen::Error;

/// The name standard output goes by in [`Error::Io`], which is how [`is_closed_pipe`] tells a
/// failed write to standard output from one to a file.
const STDOUT: &str = "<stdout>";

/// The exit status of a command whose reader closed standard output: what a shell reports for
/// a process killed by SIGPIPE (Rust ignores SIGPIPE, so the write fails with EPIPE instead).
pub(crate) const CLOSED_PIPE_STATUS: u8 = 128 + 13;

/// Writes `args` and a line break to standard output and flushes, so a failure shows here
/// rather than at exit (where it would be lost).
pub(crate) fn write_line(args: fmt::Arguments<'_>) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    out.write_fmt(args)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

/// Writes `bytes` to standard output and flushes.
pub(crate) fn write_bytes(bytes: &[u8]) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

/// A failed write to standard output as the crate's error.
pub(crate) fn stdout_error(source: io::Error) -> Error {
    Error::Io {
        path: STDOUT.into(),
        source,
    }
}

/// Whether `error` is a write to standard output after its reader closed it.
pub(crate) fn is_closed_pipe(error: &Error) -> bool {
    matches!(error, Error::Io { path, source }
        if path == Path::new(STDOUT) && source.kind() == io::ErrorKind::BrokenPipe)
}

/// Whether `error` is any failed write to standard output (after which nothing more should be
/// printed there).
pub(crate) fn is_stdout_error(error: &Error) -> bool {
    matches!(error, Error::Io { path, .. } if path == Path::new(STDOUT))
}

/// `println!` that returns the write's error: `outln!("{x}")?`.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::write_line(format_args!($($arg)*))
    };
}
pub(crate) use outln;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_closed_stdout_is_quiet() {
        let pipe = || io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(is_closed_pipe(&stdout_error(pipe())));
        assert!(!is_closed_pipe(&stdout_error(io::Error::from(
            io::ErrorKind::StorageFull
        ))));
        let file = Error::Io {
            path: "out.csv".into(),
            source: pipe(),
        };
        assert!(!is_closed_pipe(&file));
        assert!(!is_stdout_error(&file));
    }
}
