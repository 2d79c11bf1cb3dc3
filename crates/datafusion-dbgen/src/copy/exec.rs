//! [`TpchCopyExec`]: the writer plan of `COPY … TO`, one file per input partition, all written
//! through one shared [`Sink`](crate::sink::Sink).

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{internal_err, plan_err};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::{
    Distribution, EquivalenceProperties, LexRequirement, OrderingRequirements, PhysicalExpr,
};
use datafusion::physical_plan::coalesce_partitions::CoalescePartitionsExec;
use datafusion::physical_plan::execution_plan::{EmissionType, SchedulingType};
use datafusion::physical_plan::metrics::{
    BaselineMetrics, ExecutionPlanMetricsSet, MetricBuilder, MetricsSet,
};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, ExecutionPlanProperties,
    InputDistributionRequirements, Partitioning, PlanProperties, ReplaceChildrenOptions,
};
use futures::StreamExt;

use super::job::{CopyJob, CopyTarget, Encoding, count_schema};
use crate::export::Format;
use crate::sink::{Backend, SinkConfig};
use crate::store::ObjectStores;

/// The writer plan of `COPY … TO` made by the crate's file formats
/// ([`register`](super::register)).
///
/// With a directory target, every input partition is executed concurrently and written to its
/// own file, `part-<i>.<ext>` (partition numbers zero-padded to a common width, so the names
/// sort in partition order; existing files of the same names are replaced): each partition's
/// batches are encoded on a blocking worker thread, and every file is written through one
/// [`Sink`](crate::sink::Sink) (one io_uring ring, or the portable back end). Over a TPC-H table of
/// [`register_tpch`](crate::provider::register_tpch), partition `i` of `n` is dbgen's chunk
/// `i + 1` of `n`, so the files concatenated in name order are the whole table in dbgen's order.
///
/// With a single-file target (a path with an extension), the input is first merged into one
/// partition (order-preserving when the input is sorted).
///
/// Files are published (renamed from temporary names) only when every partition succeeded; on
/// any failure or cancellation every file of the COPY is discarded. Output: one row, `count`
/// (UInt64), the number of rows written.
#[derive(Debug)]
pub struct TpchCopyExec {
    input: Arc<dyn ExecutionPlan>,
    format: Format,
    target: CopyTarget,
    encoding: Arc<Encoding>,
    sink: SinkConfig,
    backend: Backend,
    order: Option<LexRequirement>,
    /// Stores configured for this COPY (its `OPTIONS`); `None`: the session's.
    stores: Option<Arc<ObjectStores>>,
    metrics: ExecutionPlanMetricsSet,
    properties: Arc<PlanProperties>,
}

impl TpchCopyExec {
    pub(crate) fn try_new(
        input: Arc<dyn ExecutionPlan>,
        format: Format,
        target: CopyTarget,
        encoding: Encoding,
        sink: SinkConfig,
        order: Option<LexRequirement>,
    ) -> Result<Self> {
        sink.validate()
            .map_err(|e| DataFusionError::Plan(format!("COPY: {e}")))?;
        // One producer per input partition.
        let sink = sink.for_producers(input.output_partitioning().partition_count());
        if matches!(encoding, Encoding::Text(_)) {
            crate::export::batches::check_text_schema(&input.schema())
                .map_err(|e| DataFusionError::Plan(format!("COPY … STORED AS {format}: {e}")))?;
        }
        let properties = Arc::new(
            PlanProperties::new(
                EquivalenceProperties::new(count_schema()),
                Partitioning::UnknownPartitioning(1),
                EmissionType::Final,
                input.boundedness(),
            )
            .with_scheduling_type(SchedulingType::Cooperative),
        );
        Ok(TpchCopyExec {
            backend: sink.expected_backend(),
            input,
            format,
            target,
            encoding: Arc::new(encoding),
            sink,
            order,
            stores: None,
            metrics: ExecutionPlanMetricsSet::new(),
            properties,
        })
    }

    /// Writes object-store targets through `stores` instead of the session's (`None`: the
    /// session's).
    pub(crate) fn with_object_stores(mut self, stores: Option<Arc<ObjectStores>>) -> Self {
        self.stores = stores;
        self
    }

    /// The plan whose rows are written.
    pub fn input(&self) -> &Arc<dyn ExecutionPlan> {
        &self.input
    }

    /// The file format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The target: the directory of the files, or the single file.
    pub fn target(&self) -> &Path {
        self.target.path()
    }

    /// Whether the target is one file (the input is merged into one partition).
    pub fn single_file(&self) -> bool {
        matches!(self.target, CopyTarget::File(_))
    }

    /// The sink back end the files are written with.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The sink configuration (one sink is started per execution).
    pub fn sink_config(&self) -> &SinkConfig {
        &self.sink
    }

    fn with_input(&self, input: Arc<dyn ExecutionPlan>) -> Self {
        TpchCopyExec {
            input,
            format: self.format,
            target: self.target.clone(),
            encoding: Arc::clone(&self.encoding),
            sink: self.sink.clone(),
            backend: self.backend,
            order: self.order.clone(),
            stores: self.stores.clone(),
            metrics: ExecutionPlanMetricsSet::new(),
            properties: Arc::clone(&self.properties),
        }
    }
}

impl DisplayAs for TpchCopyExec {
    fn fmt_as(&self, t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sep = match t {
            DisplayFormatType::TreeRender => "\n",
            _ => ", ",
        };
        if !matches!(t, DisplayFormatType::TreeRender) {
            write!(f, "TpchCopyExec: ")?;
        }
        write!(f, "format={}{sep}", self.format)?;
        match &self.target {
            CopyTarget::File(path) => write!(f, "file={}", path.display())?,
            CopyTarget::Directory { dir, extension } => write!(
                f,
                "dir={}{sep}files=part-<i>.{extension} x {}",
                dir.display(),
                self.input.output_partitioning().partition_count()
            )?,
        }
        write!(f, "{sep}sink={}", self.backend)
    }
}

impl ExecutionPlan for TpchCopyExec {
    fn name(&self) -> &'static str {
        "TpchCopyExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn benefits_from_input_partitioning(&self) -> Vec<bool> {
        // Input partition i is file i: keep the input's partitioning as it is.
        vec![false]
    }

    #[allow(deprecated)]
    fn required_input_distribution(&self) -> Vec<Distribution> {
        if self.single_file() {
            vec![Distribution::SinglePartition]
        } else {
            vec![Distribution::UnspecifiedDistribution]
        }
    }

    fn input_distribution_requirements(&self) -> InputDistributionRequirements {
        #[allow(deprecated)]
        InputDistributionRequirements::new(self.required_input_distribution())
    }

    fn required_input_ordering(&self) -> Vec<Option<OrderingRequirements>> {
        // A single file keeps the input's order (merged, not just concatenated); files of a
        // directory each keep their partition's order anyway.
        if self.single_file() {
            vec![self.order.clone().map(Into::into)]
        } else {
            vec![None]
        }
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![true]
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn replace_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
        _options: ReplaceChildrenOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if children.len() != 1 {
            return plan_err!("TpchCopyExec takes exactly one child");
        }
        Ok(Arc::new(self.with_input(children.swap_remove(0))))
    }

    #[allow(deprecated)]
    fn with_new_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if children.len() != 1 {
            return plan_err!("TpchCopyExec takes exactly one child");
        }
        Ok(Arc::new(self.with_input(children.swap_remove(0))))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        if partition != 0 {
            return internal_err!("TpchCopyExec has one partition, not {}", partition + 1);
        }
        let mut input = Arc::clone(&self.input);
        if self.single_file() && input.output_partitioning().partition_count() > 1 {
            input = Arc::new(CoalescePartitionsExec::new(input));
        }
        let job = CopyJob {
            input,
            target: self.target.clone(),
            encoding: Arc::clone(&self.encoding),
            sink: self.sink.clone(),
            context,
            stores: self.stores.clone(),
            baseline: BaselineMetrics::new(&self.metrics, 0),
            files: MetricBuilder::new(&self.metrics).counter("files_written", 0),
            bytes: MetricBuilder::new(&self.metrics).counter("bytes_written", 0),
        };
        let stream = futures::stream::once(job.run()).boxed();
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            count_schema(),
            stream,
        )))
    }

    fn metrics(&self) -> Option<MetricsSet> {
        Some(self.metrics.clone_inner())
    }
}
