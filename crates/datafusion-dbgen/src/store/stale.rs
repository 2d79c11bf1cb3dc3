//! Markers of open multipart uploads, and the cleanup of those a dead process left.
//!
//! A marker is a small object `.tpch-dbgen-uploads/<host>.<pid>.<n>.<nanos>` at the root of the
//! bucket whose body is the object's key and the upload id. It exists while the upload is open;
//! a process that dies leaves it behind, and the next run on the same host (which can tell
//! whether that process still runs) aborts the upload and removes the marker.

use object_store::MultipartId;
use object_store::ObjectStoreExt;
use object_store::path::Path as ObjectPath;

use super::StoreEntry;
use super::upload::{block_on, next_marker_number};
use crate::sink::process_alive;

/// Where the markers live, at the root of the bucket.
const MARKER_DIR: &str = ".tpch-dbgen-uploads";

/// This host's name (markers of other hosts are left alone: their processes cannot be checked).
fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname NUL-terminates within it or
    // truncates, and the last byte stays 0.
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len() - 1) } == 0;
    let len = buf.iter().position(|&b| b == 0).unwrap_or(0);
    let name = String::from_utf8_lossy(&buf[..len]);
    match ok && !name.is_empty() {
        true => name.replace(['/', '\n'], "_"),
        false => "localhost".to_string(),
    }
}

/// The marker of a new upload of `key`.
pub(super) fn marker_for(_key: &ObjectPath, _id: &MultipartId) -> ObjectPath {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = format!(
        "{}.{}.{}.{nanos}",
        host_name(),
        std::process::id(),
        next_marker_number()
    );
    ObjectPath::from_iter([MARKER_DIR, name.as_str()])
}

/// The marker's body: the key, then the upload id, one per line.
pub(super) fn marker_body(key: &ObjectPath, id: &MultipartId) -> Vec<u8> {
    format!("{key}\n{id}\n").into_bytes()
}

/// The host and process a marker's name carries.
fn marker_owner(name: &str) -> Option<(&str, u32)> {
    let mut fields = name.rsplitn(4, '.');
    let (_nanos, _n) = (fields.next()?, fields.next()?);
    let pid = fields.next()?.parse().ok()?;
    Some((fields.next()?, pid))
}

/// Aborts the uploads under `prefix` whose markers name dead processes of this host; returns
/// the URLs of the objects they were writing.
pub(super) fn abort_stale_uploads(
    entry: &StoreEntry,
    prefix: &ObjectPath,
) -> object_store::Result<Vec<String>> {
    let Some(multipart) = entry.multipart.clone() else {
        return Ok(Vec::new());
    };
    let store = entry.store();
    let host = host_name();
    let me = std::process::id();
    let prefix = prefix.clone();
    let aborted = block_on(async move {
        use futures::TryStreamExt;
        let dir = ObjectPath::from(MARKER_DIR);
        let markers: Vec<_> = store.list(Some(&dir)).try_collect().await?;
        let mut aborted = Vec::new();
        for marker in markers {
            let Some(name) = marker.location.filename() else {
                continue;
            };
            let Some((owner, pid)) = marker_owner(name) else {
                continue;
            };
            if owner != host || pid == me || process_alive(pid) {
                continue;
            }
            let body = match store.get(&marker.location).await {
                Ok(got) => got.bytes().await?,
                Err(object_store::Error::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            let body = String::from_utf8_lossy(&body);
            let mut lines = body.lines();
            let (Some(key), Some(id)) = (lines.next(), lines.next()) else {
                continue;
            };
            let key = ObjectPath::from(key);
            if !key.prefix_matches(&prefix) && !prefix.as_ref().is_empty() {
                continue;
            }
            match multipart.abort_multipart(&key, &id.to_string()).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
            match store.delete(&marker.location).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
            aborted.push(key);
        }
        Ok(aborted)
    })?;
    let mut urls: Vec<String> = aborted.iter().map(|key| entry.url_of(key)).collect();
    urls.sort();
    Ok(urls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_names_carry_host_and_pid() {
        let key = ObjectPath::from("sf1/lineitem.tbl");
        let marker = marker_for(&key, &"id".to_string());
        let name = marker.filename().unwrap();
        assert_eq!(
            marker_owner(name),
            Some((host_name().as_str(), std::process::id()))
        );
        assert_eq!(marker_owner("a.b.c.12.3.4"), Some(("a.b.c", 12)));
        assert_eq!(marker_owner("nonsense"), None);
    }
}
