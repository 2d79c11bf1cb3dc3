//! Temporary files left behind by a process that died (SIGKILL, power loss) before it could
//! remove them: found by the sink's own naming and removed by the next run in that directory.

use std::io;
use std::path::{Path, PathBuf};

/// The process id a name of the sink's temporary form `.<name>.<pid>-<counter>-<nanos>.tmp`
/// (see `file::temp_path`) carries, or `None` for any other name.
fn temp_file_owner(name: &str) -> Option<u32> {
    let stem = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (_, tag) = stem.rsplit_once('.')?;
    let mut parts = tag.split('-');
    let pid = u32::from_str_radix(parts.next()?, 16).ok()?;
    let counter = parts.next()?;
    let nanos = parts.next()?;
    let hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
    (parts.next().is_none() && hex(counter) && hex(nanos)).then_some(pid)
}

/// Whether process `pid` is running (then its temporary files are live, not stale).
pub(crate) fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill with signal 0 sends nothing; it only checks that the process exists.
    let found = unsafe { libc::kill(pid, 0) } == 0;
    found || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Removes the sink's temporary files in `dir` (not its subdirectories) whose writing process
/// is gone, and returns their paths. A missing directory has none; files of running processes
/// (this one included) and every other file are left alone.
pub fn remove_stale_temp_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut removed = Vec::new();
    for entry in entries {
        let entry = entry?;
        let Some(pid) = entry.file_name().to_str().and_then(temp_file_owner) else {
            continue;
        };
        if pid == std::process::id() || process_alive(pid) || !entry.file_type()?.is_file() {
            continue;
        }
        match std::fs::remove_file(entry.path()) {
            Ok(()) => removed.push(entry.path()),
            // Another run removed it first.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    removed.sort();
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_only_the_sinks_temporary_names() {
        assert_eq!(
            temp_file_owner(".lineitem.tbl.1f2-0-3b9ac9ff.tmp"),
            Some(0x1f2)
        );
        assert_eq!(temp_file_owner(".part-07.parquet.a-1b-0.tmp"), Some(0xa));
        for other in [
            "lineitem.tbl",
            ".lineitem.tbl",
            "lineitem.tbl.1f2-0-3b.tmp",
            ".x.1f2-0.tmp",
            ".x.1f2-0-3-4.tmp",
            ".x.zz-0-3.tmp",
            ".x.1f2-0-.tmp",
        ] {
            assert_eq!(temp_file_owner(other), None, "{other}");
        }
    }

    #[test]
    fn removes_files_of_dead_processes_only() {
        let dir = tempfile::tempdir().unwrap();
        // No process has pid 0x7ffffffe (above Linux's pid_max).
        let dead = dir.path().join(".orders.tbl.7ffffffe-0-1.tmp");
        let mine = dir
            .path()
            .join(format!(".orders.tbl.{:x}-0-1.tmp", std::process::id()));
        let other = dir.path().join("orders.tbl");
        for path in [&dead, &mine, &other] {
            std::fs::write(path, b"x").unwrap();
        }
        assert_eq!(
            remove_stale_temp_files(dir.path()).unwrap(),
            vec![dead.clone()]
        );
        assert!(!dead.exists() && mine.exists() && other.exists());
        assert!(
            remove_stale_temp_files(&dir.path().join("missing"))
                .unwrap()
                .is_empty()
        );
    }
}
