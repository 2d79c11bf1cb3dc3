//! What an `--overwrite` export replaces: the table's whole earlier output, not only the files
//! of the same names. A table written as `lineitem/part-0..2.parquet` and then as
//! `lineitem/part-0..1.parquet` (or as `lineitem.parquet`) would otherwise keep
//! `part-2.parquet`, and readers of the directory would count its rows twice.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

/// Whether `name` is `<stem>.<digits>` (a dbgen part file of `stem`).
fn is_part_of(name: &str, stem: &str) -> bool {
    name.strip_prefix(stem)
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `name` is `part-<digits>.<ext>` (a file of a table written as several files, or of
/// a COPY into a directory).
pub(crate) fn is_numbered_file(name: &str, ext: &str) -> bool {
    name.strip_prefix("part-")
        .and_then(|rest| rest.strip_suffix(ext))
        .and_then(|rest| rest.strip_suffix('.'))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The files of the crate's layouts for `table` with extension `ext` in `dir`: `<table>.<ext>`,
/// dbgen's parts `<table>.<ext>.<n>`, `<table>/part-<n>.<ext>` and the hive partitions'
/// `<table>/<key>=<value>/part-<n>.<ext>`.
fn layout_files(dir: &Path, table: &str, ext: &str) -> io::Result<Vec<PathBuf>> {
    let stem = format!("{table}.{ext}");
    let mut found = Vec::new();
    let listed = |d: &Path| match std::fs::read_dir(d) {
        Ok(entries) => entries.collect::<io::Result<Vec<_>>>(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    };
    for entry in listed(dir)? {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if (name == stem || is_part_of(&name, &stem)) && entry.file_type()?.is_file() {
            found.push(entry.path());
        }
    }
    for entry in listed(&dir.join(table))? {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let kind = entry.file_type()?;
        if is_numbered_file(&name, ext) && kind.is_file() {
            found.push(entry.path());
        }
        // A hive partition of a layout (`<key>=<value>/part-N.<ext>`).
        if name.contains('=') && kind.is_dir() {
            for inner in listed(&entry.path())? {
                let inner_name = inner.file_name();
                if is_numbered_file(&inner_name.to_string_lossy(), ext)
                    && inner.file_type()?.is_file()
                {
                    found.push(inner.path());
                }
            }
        }
    }
    Ok(found)
}

/// Removes the files of `table`'s earlier output in `dir` that this export did not write
/// (`written`), and `<table>/` when that leaves it empty; returns what it removed.
pub(super) fn remove_superseded(
    dir: &Path,
    table: &str,
    ext: &str,
    written: &[PathBuf],
) -> io::Result<Vec<PathBuf>> {
    let keep: HashSet<&Path> = written.iter().map(PathBuf::as_path).collect();
    let mut removed = Vec::new();
    for path in layout_files(dir, table, ext)? {
        if keep.contains(path.as_path()) {
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    // Only when empty: a directory of the user's with other files stays.
    for path in &removed {
        if let Some(parent) = path.parent()
            && parent != dir.join(table)
            && parent != dir
        {
            let _ = std::fs::remove_dir(parent);
        }
    }
    let _ = std::fs::remove_dir(dir.join(table));
    removed.sort();
    Ok(removed)
}

/// Removes the `part-<n>.<ext>` files in `dir` that are not among `written` (an earlier COPY
/// into the directory with more partitions left them); returns what it removed.
pub(crate) fn remove_numbered_files(
    dir: &Path,
    ext: &str,
    written: &[PathBuf],
) -> io::Result<Vec<PathBuf>> {
    let keep: HashSet<&Path> = written.iter().map(PathBuf::as_path).collect();
    let mut removed = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let numbered = is_numbered_file(&entry.file_name().to_string_lossy(), ext);
        if numbered && !keep.contains(path.as_path()) && entry.file_type()?.is_file() {
            match std::fs::remove_file(&path) {
                Ok(()) => removed.push(path),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    removed.sort();
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_the_layouts() {
        assert!(is_part_of("lineitem.tbl.3", "lineitem.tbl"));
        assert!(!is_part_of("lineitem.tbl.bak", "lineitem.tbl"));
        assert!(!is_part_of("lineitem.tbl", "lineitem.tbl"));
        assert!(is_numbered_file("part-007.parquet", "parquet"));
        assert!(!is_numbered_file("part-a.parquet", "parquet"));
        assert!(!is_numbered_file("part-1.csv", "parquet"));
    }

    #[test]
    fn only_the_tables_earlier_layout_goes() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("orders")).unwrap();
        for f in [
            "orders/part-0.tbl",
            "orders/part-1.tbl",
            "orders.tbl.2",
            "notes.txt",
            "orders/o_orderpriority=1-URGENT/part-00000.tbl",
        ] {
            if let Some(parent) = d.join(f).parent() {
                std::fs::create_dir_all(parent).unwrap();
            }
            std::fs::write(d.join(f), b"x").unwrap();
        }
        std::fs::write(d.join("orders.tbl"), b"new").unwrap();
        let removed = remove_superseded(d, "orders", "tbl", &[d.join("orders.tbl")]).unwrap();
        assert_eq!(
            removed,
            vec![
                d.join("orders/o_orderpriority=1-URGENT/part-00000.tbl"),
                d.join("orders/part-0.tbl"),
                d.join("orders/part-1.tbl"),
                d.join("orders.tbl.2"),
            ]
        );
        assert!(d.join("orders.tbl").exists() && d.join("notes.txt").exists());
        assert!(!d.join("orders").exists());
    }
}
