//! A partitioned plan as Ballista's scheduler can split it: a `DataSourceExec` whose "files"
//! are the plan's parts (the generating scan's, or a distributed export's).
//!
//! Ballista 55 restricts each task's plan to the task's partitions by rewriting the leaves it
//! knows — file groups of a `FileScanConfig`, among others — and leaves any other leaf whole, so
//! a task would generate every part. On the scheduler the tables therefore plan as a
//! `FileScanConfig` over [`PartsSource`]: file group `i` is one file, `part-<i>`, and opening it
//! runs partition `i` of the wrapped plan — a [`TpchScanExec`] (dbgen's chunk `i + 1` of `n`)
//! or an [`ExportExec`](super::export::ExportExec) (writing that chunk) — on the executor.
//! Nothing is read from a store: the files are names.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::Statistics;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::physical_plan::{
    FileGroup, FileOpenFuture, FileOpener, FileScanConfig, FileScanConfigBuilder, FileSource,
};
use datafusion::datasource::source::DataSourceExec;
use datafusion::datasource::table_schema::TableSchema;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::object_store::ObjectStore;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::metrics::ExecutionPlanMetricsSet;
use datafusion::physical_plan::{ExecutionPlan, StatisticsArgs, StatisticsContext};
use datafusion::prelude::SessionConfig;
use futures::StreamExt;

#[cfg(doc)]
use crate::provider::TpchScanExec;
use crate::provider::TpchTableProvider;

/// The file name of part `i`.
fn part_name(i: usize) -> String {
    format!("part-{i}")
}

/// The part a file name names.
fn part_of(file: &PartitionedFile) -> Result<usize> {
    let name = file.object_meta.location.filename().unwrap_or_default();
    name.strip_prefix("part-")
        .and_then(|i| i.parse().ok())
        .ok_or_else(|| DataFusionError::Plan(format!("'{name}' is not a datafusion-dbgen part")))
}

/// A plan whose parts are files, as [`parts_exec`] builds it.
pub(crate) struct PartsSource {
    plan: Arc<dyn ExecutionPlan>,
    table_schema: TableSchema,
    batch_size: Option<usize>,
    metrics: ExecutionPlanMetricsSet,
}

impl PartsSource {
    fn new(plan: Arc<dyn ExecutionPlan>) -> PartsSource {
        PartsSource {
            table_schema: TableSchema::from(plan.schema()),
            plan,
            batch_size: None,
            metrics: ExecutionPlanMetricsSet::new(),
        }
    }

    /// The plan the parts come from.
    pub(crate) fn plan(&self) -> &Arc<dyn ExecutionPlan> {
        &self.plan
    }
}

impl fmt::Debug for PartsSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PartsSource")
            .field("plan", &self.plan.name())
            .finish()
    }
}

impl FileSource for PartsSource {
    fn create_file_opener(
        &self,
        _object_store: Arc<dyn ObjectStore>,
        _base_config: &FileScanConfig,
        _partition: usize,
    ) -> Result<Arc<dyn FileOpener>> {
        Ok(Arc::new(PartOpener {
            plan: Arc::clone(&self.plan),
            batch_size: self.batch_size,
        }))
    }

    fn table_schema(&self) -> &TableSchema {
        &self.table_schema
    }

    fn with_batch_size(&self, batch_size: usize) -> Arc<dyn FileSource> {
        Arc::new(PartsSource {
            plan: Arc::clone(&self.plan),
            table_schema: self.table_schema.clone(),
            batch_size: Some(batch_size),
            metrics: self.metrics.clone(),
        })
    }

    fn metrics(&self) -> &ExecutionPlanMetricsSet {
        &self.metrics
    }

    fn file_type(&self) -> &str {
        "tpch"
    }

    /// The source holds no expressions (its bounds are raw values inside the scan).
    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn fmt_extra(
        &self,
        t: datafusion::physical_plan::DisplayFormatType,
        f: &mut fmt::Formatter,
    ) -> fmt::Result {
        write!(f, ", parts of ")?;
        self.plan.fmt_as(t, f)
    }
}

/// Opens a part: runs that partition of the plan.
struct PartOpener {
    plan: Arc<dyn ExecutionPlan>,
    batch_size: Option<usize>,
}

impl FileOpener for PartOpener {
    fn open(&self, file: PartitionedFile) -> Result<FileOpenFuture> {
        let part = part_of(&file)?;
        let mut config = SessionConfig::new();
        if let Some(size) = self.batch_size {
            config = config.with_batch_size(size);
        }
        let context = Arc::new(TaskContext::default().with_session_config(config));
        let stream = self.plan.execute(part, context)?;
        Ok(Box::pin(async move { Ok(stream.boxed()) }))
    }
}

/// `plan` as a `DataSourceExec` over the files of `parts` (all of the plan's partitions when
/// `None`), in that order.
///
/// The scan stays as faithful as the plan it wraps: each part carries that partition's
/// statistics (exact row counts, key ranges), the whole scan the plan's, and the plan's
/// declared ordering holds within every part — so the scheduler's planner chooses joins and
/// sorts as it would for the local scan (e.g. `nation` as the build side of a hash join).
pub(crate) fn parts_exec(
    plan: Arc<dyn ExecutionPlan>,
    parts: Option<&[usize]>,
) -> Arc<DataSourceExec> {
    let all: Vec<usize> = (0..plan.properties().output_partitioning().partition_count()).collect();
    let statistics = StatisticsContext::new();
    let stats_of = |partition: Option<usize>| {
        let args = StatisticsArgs::new().with_partition(partition);
        statistics
            .compute(plan.as_ref(), &args)
            .unwrap_or_else(|_| Arc::new(Statistics::new_unknown(plan.schema().as_ref())))
    };
    let groups = parts
        .unwrap_or(&all)
        .iter()
        .map(|&i| {
            let stats = stats_of(Some(i));
            let file = PartitionedFile::new(part_name(i), 0).with_statistics(Arc::clone(&stats));
            FileGroup::new(vec![file]).with_statistics(stats)
        })
        .collect();
    let mut builder = FileScanConfigBuilder::new(
        ObjectStoreUrl::local_filesystem(),
        Arc::new(PartsSource::new(Arc::clone(&plan))),
    )
    .with_file_groups(groups)
    .with_output_ordering(
        plan.properties()
            .output_ordering()
            .cloned()
            .into_iter()
            .collect(),
    );
    if parts.is_none() {
        builder = builder.with_statistics(Arc::unwrap_or_clone(stats_of(None)));
    }
    DataSourceExec::from_data_source(builder.build())
}

/// A plan [`parts_exec`] wrapped, and the parts (its partitions) a task keeps.
pub(crate) type PlanParts<'a> = (&'a Arc<dyn ExecutionPlan>, Vec<usize>);

/// The wrapped plan and part indices of a plan [`parts_exec`] built (after Ballista kept a
/// task's parts), or `None` for any other plan.
pub(crate) fn parts_of(plan: &dyn ExecutionPlan) -> Option<Result<PlanParts<'_>>> {
    let exec = plan.downcast_ref::<DataSourceExec>()?;
    let source: &dyn Any = exec.data_source().as_ref();
    let config = source.downcast_ref::<FileScanConfig>()?;
    let parts = config.file_source().downcast_ref::<PartsSource>()?;
    let files: Result<Vec<usize>> = config
        .file_groups
        .iter()
        .map(|group| match group.files() {
            [file] => part_of(file),
            files => Err(DataFusionError::Plan(format!(
                "a datafusion-dbgen file group holds one part, not {}",
                files.len()
            ))),
        })
        .collect();
    Some(files.map(|files| (parts.plan(), files)))
}

/// A generating table as the scheduler plans it: [`TpchTableProvider`]'s scan, as parts.
#[derive(Debug)]
pub(crate) struct PartsTable {
    base: TpchTableProvider,
}

impl PartsTable {
    pub(crate) fn new(base: TpchTableProvider) -> PartsTable {
        PartsTable { base }
    }

    pub(crate) fn base(&self) -> &TpchTableProvider {
        &self.base
    }
}

#[async_trait]
impl TableProvider for PartsTable {
    fn schema(&self) -> SchemaRef {
        self.base.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let partitions = state.config().target_partitions();
        let scan =
            self.base
                .scan_plan(projection.map(Vec::as_slice), filters, limit, partitions)?;
        Ok(parts_exec(Arc::new(scan), None))
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        self.base.supports_filters_pushdown(filters)
    }
}

#[cfg(test)]
mod tests {
    use datafusion::common::stats::Precision;
    use datafusion::prelude::SessionContext;

    use super::*;
    use tpch_dbgen::{ScaleFactor, Table};

    fn statistics(plan: &dyn ExecutionPlan, partition: Option<usize>) -> Arc<Statistics> {
        let args = StatisticsArgs::new().with_partition(partition);
        StatisticsContext::new().compute(plan, &args).unwrap()
    }

    /// The scheduler's parts scan reports what the local scan reports: its exact row counts
    /// (whole and per part), its column bounds and its key ordering.
    #[tokio::test]
    async fn parts_carry_the_scans_statistics_and_ordering() {
        let sf = ScaleFactor::try_new(0.01).unwrap();
        let provider = TpchTableProvider::with_scale_factor(Table::Customer, sf);
        let table = PartsTable::new(provider.clone());
        let state =
            SessionContext::new_with_config(SessionConfig::new().with_target_partitions(3)).state();
        let parts = table.scan(&state, None, &[], None).await.unwrap();
        let local = provider.scan_plan(None, &[], None, 3).unwrap();
        let whole = statistics(parts.as_ref(), None);
        assert_eq!(whole.num_rows, Precision::Exact(1500));
        assert_eq!(whole, statistics(&local, None));
        for part in 0..3 {
            assert_eq!(
                statistics(parts.as_ref(), Some(part)).num_rows,
                statistics(&local, Some(part)).num_rows
            );
        }
        let ordering = parts
            .properties()
            .output_ordering()
            .map(ToString::to_string);
        assert_eq!(ordering.as_deref(), Some("c_custkey@0 ASC NULLS LAST"));
    }
}
