//! Extension codecs that carry the generating tables through Ballista: the logical one encodes a
//! [`TpchTableProvider`] (table, scale factor), the physical one a [`TpchScanExec`] (table,
//! scale factor, generator rows, partitions, projection, pushed-down bounds, limit, deleted
//! rows). Everything else goes to Ballista's own codecs, so its shuffle nodes keep working.
//!
//! The bytes are a small versioned JSON document: a plan node of another version, truncated
//! bytes or anything that is not ours decode to a clear error, never a panic.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ballista_core::serde::{BallistaLogicalExtensionCodec, BallistaPhysicalExtensionCodec};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::TableProvider;
use datafusion::common::TableReference;
use datafusion::datasource::file_format::FileFormatFactory;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::logical_expr::{Extension, LogicalPlan};
use datafusion::physical_plan::ExecutionPlan;
use datafusion_proto::logical_plan::LogicalExtensionCodec;
use datafusion_proto::physical_plan::{
    ComposedPhysicalExtensionCodec, PhysicalExtensionCodec, PhysicalProtoConverterExtension,
};
use serde::{Deserialize, Serialize};

use super::export::{ExportExec, ExportSpec, ExportTable};
use super::parts::{PartsTable, parts_exec, parts_of};
use crate::arrow::{ColumnBound, RowFilter};
use crate::provider::{TpchScanExec, TpchTableProvider};
use tpch_dbgen::{RowRange, ScaleFactor, Table};

/// The version of the encoding; a node of another version is refused by name.
const VERSION: u32 = 1;

/// What a node's bytes hold.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Envelope {
    datafusion_dbgen: u32,
    #[serde(flatten)]
    node: Node,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Node {
    /// A generating table.
    Table { table: String, sf: Scale },
    /// A scan of one.
    Scan(ScanNode),
    /// A scan as files, with the parts a task runs.
    Parts { scan: ScanNode, parts: Vec<usize> },
    /// A distributed export (its table: the manifest of the files written).
    Export(ExportSpec),
    /// A distributed export as files, with the parts a task writes.
    ExportParts {
        export: ExportSpec,
        parts: Vec<usize>,
    },
}

/// A scale factor and dbgen's `-C` for its 64-bit streams.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Scale {
    value: f64,
    wide_chunks: u64,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct ScanNode {
    table: String,
    sf: Scale,
    rows: (u64, u64),
    partitions: usize,
    projection: Vec<usize>,
    /// `(column, low, high)`; raw values as decimal strings (they are `i128`).
    bounds: Vec<(usize, String, String)>,
    fetch: Option<usize>,
    excluded: Vec<(u64, u64)>,
}

impl Scale {
    fn of(sf: &ScaleFactor) -> Scale {
        Scale {
            value: sf.value(),
            wide_chunks: sf.wide_chunks().count(),
        }
    }

    fn scale_factor(&self) -> Result<ScaleFactor> {
        let sf = ScaleFactor::try_new(self.value).map_err(crate::Error::from)?;
        Ok(sf.with_wide_chunks(self.wide_chunks))
    }
}

fn encode(node: Node, buf: &mut Vec<u8>) -> Result<()> {
    let envelope = Envelope {
        datafusion_dbgen: VERSION,
        node,
    };
    serde_json::to_writer(buf, &envelope)
        .map_err(|e| DataFusionError::Internal(format!("encoding a datafusion-dbgen node: {e}")))
}

fn decode(buf: &[u8]) -> Result<Node> {
    #[derive(Deserialize)]
    struct Version {
        datafusion_dbgen: u32,
    }
    let not_ours = |e: serde_json::Error| {
        DataFusionError::Plan(format!(
            "not a datafusion-dbgen plan node ({} bytes): {e}",
            buf.len()
        ))
    };
    let version: Version = serde_json::from_slice(buf).map_err(not_ours)?;
    if version.datafusion_dbgen != VERSION {
        return Err(DataFusionError::Plan(format!(
            "a datafusion-dbgen plan node of encoding version {}, this build reads version \
             {VERSION}: run the same datafusion-dbgen version on the client, scheduler and \
             executors",
            version.datafusion_dbgen
        )));
    }
    let envelope: Envelope = serde_json::from_slice(buf).map_err(not_ours)?;
    Ok(envelope.node)
}

fn table_named(name: &str) -> Result<Table> {
    Table::ALL
        .into_iter()
        .find(|t| t.name() == name)
        .ok_or_else(|| DataFusionError::Plan(format!("unknown TPC-H table '{name}' in a plan")))
}

fn range(r: &RowRange) -> (u64, u64) {
    (r.start, r.end)
}

impl ScanNode {
    fn of(scan: &TpchScanExec) -> ScanNode {
        ScanNode {
            table: scan.table().name().to_string(),
            sf: Scale::of(scan.scale_factor()),
            rows: range(&scan.rows()),
            partitions: scan.partition_ranges().len(),
            projection: scan.projection().to_vec(),
            bounds: scan
                .filter()
                .bounds()
                .iter()
                .map(|b| (b.column, b.low.to_string(), b.high.to_string()))
                .collect(),
            fetch: ExecutionPlan::fetch(scan),
            excluded: scan.excluded_rows().iter().map(range).collect(),
        }
    }

    fn plan(&self) -> Result<TpchScanExec> {
        let number = |s: &str| {
            s.parse::<i128>().map_err(|e| {
                DataFusionError::Plan(format!("a datafusion-dbgen scan bound '{s}': {e}"))
            })
        };
        let bounds = self
            .bounds
            .iter()
            .map(|(column, low, high)| Ok(ColumnBound::new(*column, number(low)?, number(high)?)))
            .collect::<Result<Vec<_>>>()?;
        let rows = RowRange::new(self.rows.0, self.rows.1);
        let excluded = self
            .excluded
            .iter()
            .map(|&(s, e)| RowRange::new(s, e))
            .collect();
        let table = table_named(&self.table)?;
        Ok(TpchScanExec::try_new(
            table,
            self.sf.scale_factor()?,
            rows,
            Some(&self.projection),
            self.partitions,
        )?
        .with_filter(RowFilter::new(bounds))?
        .with_partition_fetch(self.fetch)
        .without_rows(excluded))
    }
}

/// The logical codec: [`TpchTableProvider`]s, and Ballista's own nodes and file formats.
#[derive(Default)]
pub struct TpchLogicalCodec {
    ballista: BallistaLogicalExtensionCodec,
}

impl fmt::Debug for TpchLogicalCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TpchLogicalCodec")
    }
}

impl LogicalExtensionCodec for TpchLogicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[LogicalPlan],
        ctx: &TaskContext,
    ) -> Result<Extension> {
        self.ballista.try_decode(buf, inputs, ctx)
    }

    fn try_encode(&self, node: &Extension, buf: &mut Vec<u8>) -> Result<()> {
        self.ballista.try_encode(node, buf)
    }

    fn try_decode_table_provider(
        &self,
        buf: &[u8],
        _table_ref: &TableReference,
        _schema: SchemaRef,
        _ctx: &TaskContext,
    ) -> Result<Arc<dyn TableProvider>> {
        match decode(buf)? {
            // Where a plan is decoded (the scheduler) the table plans its scans as parts.
            Node::Table { table, sf } => Ok(Arc::new(PartsTable::new(
                TpchTableProvider::with_scale_factor(table_named(&table)?, sf.scale_factor()?),
            ))),
            Node::Export(spec) => Ok(Arc::new(ExportTable::try_new(spec)?)),
            _ => Err(DataFusionError::Plan(
                "a datafusion-dbgen scan where a table was expected".into(),
            )),
        }
    }

    fn try_encode_table_provider(
        &self,
        table_ref: &TableReference,
        node: Arc<dyn TableProvider>,
        buf: &mut Vec<u8>,
    ) -> Result<()> {
        if let Some(export) = node.downcast_ref::<ExportTable>() {
            return encode(Node::Export(export.spec().clone()), buf);
        }
        let provider = node
            .downcast_ref::<TpchTableProvider>()
            .or_else(|| node.downcast_ref::<PartsTable>().map(PartsTable::base));
        match provider {
            Some(provider) => encode(
                Node::Table {
                    table: provider.table().name().to_string(),
                    sf: Scale::of(provider.scale_factor()),
                },
                buf,
            ),
            None => Err(DataFusionError::NotImplemented(format!(
                "table {table_ref} cannot run on Ballista: only datafusion-dbgen's generating \
                 tables (TpchTableProvider) are encoded (refreshable and memory tables are not)"
            ))),
        }
    }

    fn try_decode_file_format(
        &self,
        buf: &[u8],
        ctx: &TaskContext,
    ) -> Result<Arc<dyn FileFormatFactory>> {
        self.ballista.try_decode_file_format(buf, ctx)
    }

    fn try_encode_file_format(
        &self,
        buf: &mut Vec<u8>,
        node: Arc<dyn FileFormatFactory>,
    ) -> Result<()> {
        self.ballista.try_encode_file_format(buf, node)
    }
}

/// The physical codec for [`TpchScanExec`] alone; [`physical_codec`] composes it with
/// Ballista's.
#[derive(Debug, Default)]
pub struct TpchPhysicalCodec {
    /// Counts the scan parts decoded here (an executor decodes the plans of the tasks it runs).
    parts_decoded: Option<Arc<AtomicUsize>>,
}

impl TpchPhysicalCodec {
    /// A codec that adds the number of scan parts it decodes to `counter`.
    pub fn counting(counter: Arc<AtomicUsize>) -> Self {
        TpchPhysicalCodec {
            parts_decoded: Some(counter),
        }
    }
}

impl PhysicalExtensionCodec for TpchPhysicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[Arc<dyn ExecutionPlan>],
        _ctx: &TaskContext,
        _proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if !inputs.is_empty() {
            return Err(DataFusionError::Plan(format!(
                "a datafusion-dbgen scan has no inputs, got {}",
                inputs.len()
            )));
        }
        match decode(buf)? {
            Node::Scan(scan) => Ok(Arc::new(scan.plan()?)),
            Node::Parts { scan, parts } => {
                if let Some(counter) = &self.parts_decoded {
                    counter.fetch_add(parts.len(), Ordering::Relaxed);
                }
                Ok(parts_exec(Arc::new(scan.plan()?), Some(&parts)))
            }
            Node::ExportParts { export, parts } => {
                if let Some(counter) = &self.parts_decoded {
                    counter.fetch_add(parts.len(), Ordering::Relaxed);
                }
                Ok(parts_exec(
                    Arc::new(ExportExec::try_new(export)?),
                    Some(&parts),
                ))
            }
            Node::Export(_) => Err(DataFusionError::Plan(
                "a datafusion-dbgen export table where a plan was expected".into(),
            )),
            Node::Table { .. } => Err(DataFusionError::Plan(
                "a datafusion-dbgen table where a scan plan was expected".into(),
            )),
        }
    }

    fn try_encode(
        &self,
        node: Arc<dyn ExecutionPlan>,
        buf: &mut Vec<u8>,
        _proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<()> {
        if let Some(found) = parts_of(node.as_ref()) {
            let (plan, parts) = found?;
            if let Some(scan) = plan.downcast_ref::<TpchScanExec>() {
                let scan = ScanNode::of(scan);
                return encode(Node::Parts { scan, parts }, buf);
            }
            if let Some(export) = plan.downcast_ref::<ExportExec>() {
                let export = export.spec().clone();
                return encode(Node::ExportParts { export, parts }, buf);
            }
            return Err(DataFusionError::NotImplemented(format!(
                "parts of {} are not a datafusion-dbgen plan node",
                plan.name()
            )));
        }
        match node.downcast_ref::<TpchScanExec>() {
            Some(scan) => encode(Node::Scan(ScanNode::of(scan)), buf),
            None => Err(DataFusionError::NotImplemented(format!(
                "{} is not a datafusion-dbgen plan node",
                node.name()
            ))),
        }
    }
}

/// The physical codec a cluster needs: Ballista's (shuffles and its other nodes) first, then
/// [`TpchPhysicalCodec`].
pub fn physical_codec() -> Arc<dyn PhysicalExtensionCodec> {
    composed(TpchPhysicalCodec::default())
}

/// [`physical_codec`] with `ours` as the crate's part.
pub(crate) fn composed(ours: TpchPhysicalCodec) -> Arc<dyn PhysicalExtensionCodec> {
    Arc::new(ComposedPhysicalExtensionCodec::new(vec![
        Arc::new(BallistaPhysicalExtensionCodec::default()),
        Arc::new(ours),
    ]))
}

/// The logical codec a cluster needs.
pub fn logical_codec() -> Arc<dyn LogicalExtensionCodec> {
    Arc::new(TpchLogicalCodec::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_nodes_round_trip() {
        let sf = ScaleFactor::try_new(0.01).unwrap();
        let scan = TpchScanExec::try_new(
            Table::Lineitem,
            sf,
            RowRange::new(100, 9000),
            Some(&[0, 4, 10]),
            3,
        )
        .unwrap()
        .with_filter(RowFilter::new([ColumnBound::new(10, 8500, 8800)]))
        .unwrap()
        .with_partition_fetch(Some(77))
        .without_rows(vec![RowRange::new(200, 300)]);
        let mut buf = Vec::new();
        encode(Node::Scan(ScanNode::of(&scan)), &mut buf).unwrap();
        let Node::Scan(node) = decode(&buf).unwrap() else {
            panic!("not a scan")
        };
        let back = node.plan().unwrap();
        assert_eq!(ScanNode::of(&back), ScanNode::of(&scan));
        assert_eq!(back.partition_ranges(), scan.partition_ranges());
    }

    #[test]
    fn part_files_round_trip_with_the_parts_a_task_keeps() {
        let sf = ScaleFactor::try_new(0.1).unwrap();
        for table in Table::ALL {
            let scan = TpchScanExec::try_new(table, sf, RowRange::new(0, 1000), None, 4).unwrap();
            let plan: Arc<dyn ExecutionPlan> = parts_exec(Arc::new(scan), Some(&[3, 1]));
            let codec = TpchPhysicalCodec::default();
            let converter = datafusion_proto::physical_plan::DefaultPhysicalProtoConverter {};
            let mut buf = Vec::new();
            codec
                .try_encode(Arc::clone(&plan), &mut buf, &converter)
                .unwrap();
            let ctx = TaskContext::default();
            let back = codec.try_decode(&buf, &[], &ctx, &converter).unwrap();
            let (inner, parts) = parts_of(back.as_ref()).unwrap().unwrap();
            assert_eq!(parts, [3, 1], "{table}");
            let scan = inner.downcast_ref::<TpchScanExec>().unwrap();
            assert_eq!(scan.partition_ranges().len(), 4);
            assert_eq!(back.properties().output_partitioning().partition_count(), 2);
        }
    }

    #[test]
    fn export_parts_and_tables_round_trip() {
        let mut options = crate::export::ExportOptions::new(ScaleFactor::try_new(0.1).unwrap());
        options.format = crate::export::Format::Csv;
        options.output = "/tmp/tpch-out".into();
        options.parquet = None;
        let spec = ExportSpec::new(options, 4);
        let plan: Arc<dyn ExecutionPlan> = parts_exec(
            Arc::new(ExportExec::try_new(spec.clone()).unwrap()),
            Some(&[2]),
        );
        let codec = TpchPhysicalCodec::default();
        let converter = datafusion_proto::physical_plan::DefaultPhysicalProtoConverter {};
        let mut buf = Vec::new();
        codec.try_encode(plan, &mut buf, &converter).unwrap();
        let back = codec
            .try_decode(&buf, &[], &TaskContext::default(), &converter)
            .unwrap();
        let (inner, parts) = parts_of(back.as_ref()).unwrap().unwrap();
        assert_eq!(parts, [2]);
        assert_eq!(inner.downcast_ref::<ExportExec>().unwrap().spec(), &spec);

        let logical = TpchLogicalCodec::default();
        let table: Arc<dyn TableProvider> = Arc::new(ExportTable::try_new(spec.clone()).unwrap());
        let mut buf = Vec::new();
        let name = TableReference::bare("export");
        logical
            .try_encode_table_provider(&name, Arc::clone(&table), &mut buf)
            .unwrap();
        let back = logical
            .try_decode_table_provider(&buf, &name, table.schema(), &TaskContext::default())
            .unwrap();
        assert_eq!(back.downcast_ref::<ExportTable>().unwrap().spec(), &spec);
    }

    #[test]
    fn bad_bytes_are_errors() {
        for bytes in [
            &b""[..],
            b"\x00\x01garbage",
            b"{\"datafusion_dbgen\":1,\"kind\":\"scan\"",
        ] {
            let err = decode(bytes).unwrap_err().to_string();
            assert!(err.contains("not a datafusion-dbgen plan node"), "{err}");
        }
        let err = decode(br#"{"datafusion_dbgen":99,"kind":"table"}"#).unwrap_err();
        assert!(err.to_string().contains("version 99"), "{err}");
    }
}
