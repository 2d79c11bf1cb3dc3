//! Chunking: how an export is cut into output files and independent chunks of generator rows
//! (skip-ahead makes every chunk generatable on its own).

use std::path::{Path, PathBuf};

use crate::error::Result;
use tpch_dbgen::{RowRange, ScaleFactor, Table};

/// Target size of one chunk's encoded output.
pub const CHUNK_BYTES: u64 = 4 << 20;

/// Approximate `.tbl` bytes per generator row (per order for lineitem, per part for partsupp).
pub fn bytes_per_generator_row(table: Table) -> u64 {
    match table {
        Table::Region => 130,
        Table::Nation => 90,
        Table::Supplier => 140,
        Table::Customer => 162,
        Table::Part => 121,
        Table::Partsupp => 595,
        Table::Orders => 115,
        Table::Lineitem => 507,
    }
}

/// Which part of the data an export writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Selection {
    /// dbgen's `-C parts -S part`: `(part, parts)`, 1-based.
    pub part: Option<(u64, u64)>,
    /// Files per table (1: `<table>.<ext>`; more: `<table>/part-NNN.<ext>`).
    pub files_per_table: u64,
}

/// One output file: a path and the generator rows it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilePlan {
    /// The table.
    pub table: Table,
    /// Final path.
    pub path: PathBuf,
    /// Generator rows of this file.
    pub rows: RowRange,
}

/// The files of `table` for `selection` in `dir` with extension `ext`.
pub fn plan_files(
    sf: &ScaleFactor,
    table: Table,
    selection: Selection,
    dir: &Path,
    ext: &str,
) -> Result<Vec<FilePlan>> {
    let total = sf.generator_rows(table);
    let (range, suffix) = match selection.part {
        // dbgen writes nation and region whole, under their plain names, at every step.
        Some((part, parts)) if !table.is_fixed() => {
            (RowRange::chunk(total, part, parts)?, Some((part, parts)))
        }
        Some((part, parts)) => {
            RowRange::chunk(total, part, parts)?;
            (RowRange::new(0, total), None)
        }
        None => (RowRange::new(0, total), None),
    };
    let files = if table.is_fixed() {
        1
    } else {
        selection.files_per_table.max(1)
    };
    if files == 1 {
        let name = match suffix {
            Some((part, _)) => format!("{table}.{ext}.{part}"),
            None => format!("{table}.{ext}"),
        };
        return Ok(vec![FilePlan {
            table,
            path: dir.join(name),
            rows: range,
        }]);
    }
    let first_index = suffix.map_or(0, |(part, _)| (part - 1) * files);
    (1..=files)
        .map(|k| {
            Ok(FilePlan {
                table,
                path: dir
                    .join(table.name())
                    .join(format!("part-{:03}.{ext}", first_index + k - 1)),
                rows: range.subchunk(k, files)?,
            })
        })
        .collect()
}

/// Splits a file's rows into chunks of about `target_bytes` of output each.
pub fn chunk_ranges(table: Table, rows: RowRange, target_bytes: u64) -> Vec<RowRange> {
    let per_chunk = (target_bytes / bytes_per_generator_row(table)).max(1);
    let mut out = Vec::new();
    let mut start = rows.start;
    while start < rows.end {
        let end = (start + per_chunk).min(rows.end);
        out.push(RowRange::new(start, end));
        start = end;
    }
    if out.is_empty() {
        out.push(rows);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_files_use_dbgen_names_and_ranges() {
        let sf = ScaleFactor::try_new(0.1).unwrap();
        let sel = Selection {
            part: Some((3, 3)),
            files_per_table: 1,
        };
        let f = plan_files(&sf, Table::Part, sel, Path::new("out"), "tbl").unwrap();
        assert_eq!(f[0].path, Path::new("out/part.tbl.3"));
        assert_eq!(f[0].rows, RowRange::new(13332, 20000));
        let f = plan_files(&sf, Table::Nation, sel, Path::new("out"), "tbl").unwrap();
        assert_eq!(f[0].path, Path::new("out/nation.tbl"));
        assert_eq!(f[0].rows, RowRange::new(0, 25));
    }

    #[test]
    fn many_files_cover_the_table_in_order() {
        let sf = ScaleFactor::try_new(0.01).unwrap();
        let sel = Selection {
            part: None,
            files_per_table: 4,
        };
        let f = plan_files(&sf, Table::Orders, sel, Path::new("o"), "csv").unwrap();
        assert_eq!(f.len(), 4);
        assert_eq!(f[0].path, Path::new("o/orders/part-000.csv"));
        assert_eq!(f[0].rows.start, 0);
        assert_eq!(f[3].rows.end, 15000);
        assert!(f.windows(2).all(|w| w[0].rows.end == w[1].rows.start));
        let chunks = chunk_ranges(Table::Orders, f[0].rows, 100_000);
        assert_eq!(chunks.first().unwrap().start, 0);
        assert_eq!(chunks.last().unwrap().end, f[0].rows.end);
    }
}
