//! The stream of one scan partition: batches generated synchronously, one per poll.
//!
//! Generating a batch is a bounded amount of CPU work (one `batch_size` of rows), like decoding
//! a Parquet page, so it runs inside `poll_next` on DataFusion's worker threads. Nothing runs
//! between polls: memory is one batch, and dropping the stream (a cancelled query, a satisfied
//! `LIMIT`) stops generation at once — there is no thread to stop. The plan wraps this stream
//! in DataFusion's `cooperative` adapter so that it also yields to tokio regularly (an operator
//! that drains its input in one poll, like a partial aggregate, would otherwise never let the
//! task be cancelled).

use std::pin::Pin;
use std::task::{Context, Poll};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::RecordBatchStream;
use datafusion::physical_plan::metrics::BaselineMetrics;
use futures::Stream;

use crate::arrow::TableBatches;

/// A partition's batches, with DataFusion's baseline metrics (rows, compute time).
pub(crate) struct ScanStream {
    batches: TableBatches,
    schema: SchemaRef,
    metrics: BaselineMetrics,
}

impl ScanStream {
    pub(crate) fn new(batches: TableBatches, metrics: BaselineMetrics) -> Self {
        ScanStream {
            schema: batches.schema(),
            batches,
            metrics,
        }
    }
}

impl Stream for ScanStream {
    type Item = Result<RecordBatch>;

    fn poll_next(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let timer = this.metrics.elapsed_compute().timer();
        let next = this
            .batches
            .next()
            .map(|batch| batch.map_err(DataFusionError::from));
        timer.done();
        this.metrics.record_poll(Poll::Ready(next))
    }
}

impl RecordBatchStream for ScanStream {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
}
