//! Stopping a distributed export from its client. Ballista's client does not cancel a job whose
//! results it stops reading, so an interrupted `tpch gen --scheduler` would leave the executors
//! writing every part. Instead the client leaves a marker next to the output
//! (`<output>/.tpch-cancel.<run>`, a file or an object), which every task of that run polls:
//! a task that sees it stops, removing its unfinished files, and the job fails soon after.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use datafusion::error::{DataFusionError, Result};

use super::export::ExportSpec;
use crate::sink::{Sink, SinkConfig};
use crate::store::{ObjectStores, is_object_url};

/// A name for one run of an export, unique across hosts and processes.
pub(super) fn new_run_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}.{nanos}", std::process::id())
}

/// The output directory as the executors name it (local paths made absolute, as
/// [`export_tables`](super::export_tables) does).
fn output_of(spec: &ExportSpec) -> PathBuf {
    let output = &spec.options.output;
    match is_object_url(output) {
        true => output.clone(),
        false => std::path::absolute(output).unwrap_or_else(|_| output.clone()),
    }
}

/// Where the cancel marker of `spec`'s run goes (`None`: the spec names no run).
fn marker_of(spec: &ExportSpec) -> Option<PathBuf> {
    let run = spec.run.as_deref()?;
    Some(output_of(spec).join(format!(".tpch-cancel.{run}")))
}

fn stores_of(spec: &ExportSpec) -> Arc<ObjectStores> {
    Arc::new(ObjectStores::new(spec.options.storage_options.clone()))
}

/// Asks every task of `spec`'s run to stop (blocking: writes the marker).
pub fn request_cancel(spec: &ExportSpec) -> Result<()> {
    let Some(marker) = marker_of(spec) else {
        return Ok(());
    };
    let sink = Sink::try_new(SinkConfig::default().replace(true))
        .map_err(|e| DataFusionError::External(Box::new(e)))?
        .with_object_stores(stores_of(spec));
    let mut file = sink
        .create(&marker)
        .map_err(|e| DataFusionError::External(Box::new(e)))?;
    file.write_all(b"cancelled\n")
        .and_then(|()| file.finish().map(|_| ()))
        .map_err(|e| DataFusionError::External(Box::new(e)))
}

/// Whether the client asked `spec`'s run to stop (a failed look counts as no).
pub(super) fn cancel_requested(spec: &ExportSpec, stores: &ObjectStores) -> bool {
    match marker_of(spec) {
        None => false,
        Some(marker) if is_object_url(&marker) => stores
            .list(&marker.to_string_lossy())
            .is_ok_and(|found| !found.is_empty()),
        Some(marker) => marker.exists(),
    }
}

/// Removes the marker of `spec`'s run, once its job has ended.
pub fn remove_cancel_marker(spec: &ExportSpec) {
    if let Some(marker) = marker_of(spec) {
        let _ = match is_object_url(&marker) {
            true => stores_of(spec)
                .delete(&marker.to_string_lossy())
                .map_err(|_| ()),
            false => std::fs::remove_file(&marker).map_err(|_| ()),
        };
    }
}

/// The planned files of `spec` that exist now: after a stopped run, what it published.
pub fn published_files(spec: &ExportSpec) -> Result<Vec<PathBuf>> {
    let output = output_of(spec);
    let mut planned = spec.planned_files()?;
    for path in &mut planned {
        if let Ok(rest) = path.strip_prefix(&spec.options.output) {
            *path = output.join(rest);
        }
    }
    if !is_object_url(&output) {
        return Ok(planned.into_iter().filter(|p| p.exists()).collect());
    }
    let listed = stores_of(spec)
        .list(&output.to_string_lossy())
        .map_err(|e| DataFusionError::External(Box::new(e)))?;
    Ok(planned
        .into_iter()
        .filter(|p| listed.iter().any(|url| Path::new(url) == p))
        .collect())
}
