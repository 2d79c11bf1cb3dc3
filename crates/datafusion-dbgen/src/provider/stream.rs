//! The stream of one scan partition: batches generated synchronously, one per poll.
//!
//! Generating a batch is a bounded amount of CPU work (one `batch_size` of rows), like decoding
//! a Parquet page, so it runs inside `poll_next` on DataFusion's worker threads. Nothing runs
//! between polls: memory is one batch, and dropping the stream (a cancelled query, a satisfied
//! `LIMIT`) stops generation at once — there is no thread to stop. The plan wraps this stream
//! in DataFusion's `cooperative` adapter so that it also yields to tokio regularly (an operator
//! that drains its input in one poll, like a partial aggregate, would otherwise never let the
//! task be cancelled).

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::RecordBatchStream;
use datafusion::physical_plan::metrics::BaselineMetrics;
use futures::Stream;

use crate::arrow::TableBatches;

/// A partition's batches, with DataFusion's baseline metrics (rows, compute time): the pieces
/// of its range one after the other (a range with rows cut out by refresh deletes has several),
/// at most `remaining` rows in all.
pub(crate) struct ScanStream {
    pieces: VecDeque<TableBatches>,
    schema: SchemaRef,
    remaining: u64,
    metrics: BaselineMetrics,
}

impl ScanStream {
    pub(crate) fn new(
        schema: SchemaRef,
        pieces: Vec<TableBatches>,
        fetch: Option<usize>,
        metrics: BaselineMetrics,
    ) -> Self {
        ScanStream {
            schema,
            pieces: pieces.into(),
            remaining: fetch.map_or(u64::MAX, |f| f as u64),
            metrics,
        }
    }
}

/// The next batch of `pieces`, at most `remaining` rows in all.
fn next_batch(
    pieces: &mut VecDeque<TableBatches>,
    remaining: &mut u64,
) -> Option<Result<RecordBatch>> {
    while *remaining > 0 {
        let piece = pieces.front_mut()?;
        match piece.next() {
            Some(Ok(batch)) => {
                let batch = match batch.num_rows() as u64 > *remaining {
                    true => batch.slice(0, *remaining as usize),
                    false => batch,
                };
                *remaining -= batch.num_rows() as u64;
                return Some(Ok(batch));
            }
            Some(Err(e)) => return Some(Err(DataFusionError::from(e))),
            None => {
                pieces.pop_front();
            }
        }
    }
    None
}

impl Stream for ScanStream {
    type Item = Result<RecordBatch>;

    fn poll_next(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let timer = this.metrics.elapsed_compute().timer();
        let next = next_batch(&mut this.pieces, &mut this.remaining);
        timer.done();
        this.metrics.record_poll(Poll::Ready(next))
    }
}

impl RecordBatchStream for ScanStream {
    fn schema(&self) -> SchemaRef {
        std::sync::Arc::clone(&self.schema)
    }
}
