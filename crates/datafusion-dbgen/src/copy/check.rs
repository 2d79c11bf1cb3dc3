//! Parquet writer settings that make the writer panic or spin (a row group, batch or page of
//! zero rows or bytes), refused before a COPY plans: for the crate's writer and for
//! DataFusion's (`--copy-writer datafusion`, a Ballista client), whichever writes the files.

use std::collections::HashMap;

use datafusion::common::config::{
    ConfigFileType, ConfigOptions, TableOptions, TableParquetOptions,
};
use datafusion::common::plan_err;
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::error::Result;
use datafusion::logical_expr::LogicalPlan;
use datafusion::optimizer::AnalyzerRule;

/// Fails when a Parquet writer setting that must be at least 1 is 0.
pub(super) fn check_parquet_writer_options(options: &TableParquetOptions) -> Result<()> {
    let global = &options.global;
    for (name, value) in [
        ("max_row_group_size", global.max_row_group_size),
        ("write_batch_size", global.write_batch_size),
        ("data_pagesize_limit", global.data_pagesize_limit),
        (
            "data_page_row_count_limit",
            global.data_page_row_count_limit,
        ),
    ] {
        if value == 0 {
            return plan_err!(
                "invalid Parquet writer option {name} = 0 (format.{name} or \
                 datafusion.execution.parquet.{name}): expected at least 1"
            );
        }
    }
    Ok(())
}

/// The Parquet options a `COPY … STORED AS PARQUET` with `options` writes with: the session's
/// `datafusion.execution.parquet.*`, then the statement's `format.*` (other keys, such as
/// `execution.*` or `aws.*`, are not the writer's). `None` when DataFusion would refuse the
/// options anyway (its own error is the one to see).
fn copy_parquet_options(
    config: &ConfigOptions,
    options: &HashMap<String, String>,
) -> Option<TableParquetOptions> {
    let mut table = TableOptions::default_from_session_config(config);
    table.set_config_format(ConfigFileType::PARQUET);
    let format: HashMap<String, String> = options
        .iter()
        .filter(|(k, _)| k.starts_with("format."))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    table.alter_with_string_hash_map(&format).ok()?;
    Some(table.parquet)
}

/// An analyzer rule that refuses, before anything is planned or written, a COPY no writer of
/// the session can do well: Parquet writer settings that would make the writer panic or spin
/// (whichever writer runs it), and `STORED AS TBL` in a session without the crate's COPY
/// writer (DataFusion has no `.tbl` writer; its own message would be "Format not explicitly
/// set"). The plan is not changed.
#[derive(Debug)]
pub struct CopyOptionsCheck {
    tbl_writer: bool,
}

impl CopyOptionsCheck {
    /// The check for a session with (`true`) or without the crate's COPY writer.
    pub fn new(tbl_writer: bool) -> Self {
        CopyOptionsCheck { tbl_writer }
    }
}

impl AnalyzerRule for CopyOptionsCheck {
    fn analyze(&self, plan: LogicalPlan, config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.apply(|node| {
            let LogicalPlan::Copy(copy) = node else {
                return Ok(TreeNodeRecursion::Continue);
            };
            let ext = copy.file_type.get_ext();
            if ext.eq_ignore_ascii_case("tbl") && !self.tbl_writer {
                return plan_err!(
                    "STORED AS TBL is written by the crate's COPY writer only: not with \
                     DataFusion's writers (--copy-writer datafusion) or on a Ballista cluster \
                     (export with `tpch gen --scheduler …` there)"
                );
            }
            if ext.eq_ignore_ascii_case("parquet")
                && let Some(parquet) = copy_parquet_options(config, &copy.options)
            {
                check_parquet_writer_options(&parquet)?;
            }
            Ok(TreeNodeRecursion::Continue)
        })?;
        Ok(plan)
    }

    fn name(&self) -> &str {
        "tpch_copy_options_check"
    }
}
