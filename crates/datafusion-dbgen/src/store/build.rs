//! Building a store from a URL, the environment and explicit options.

use std::sync::Arc;
#[cfg(feature = "cloud")]
use std::time::Duration;

use object_store::ObjectStoreScheme;
#[cfg(feature = "cloud")]
use object_store::RetryConfig;
use object_store::memory::InMemory;
use object_store::multipart::MultipartStore;
use url::Url;

use super::{StorageOptions, StoreEntry, StoreError};

/// How long a request is retried before its error is reported: a server that stopped or never
/// started gives an error within about this bound (plus one request timeout).
#[cfg(feature = "cloud")]
pub(crate) const RETRY_TIMEOUT: Duration = Duration::from_secs(15);

#[cfg(feature = "cloud")]
/// Retries of a failing request (with exponential back-off, within [`RETRY_TIMEOUT`]).
const MAX_RETRIES: usize = 4;

/// The crate's retry policy for every cloud store: a failing request is retried with back-off
/// for at most [`RETRY_TIMEOUT`] (object_store's own default is 3 minutes). Connect and request
/// timeouts stay object_store's (5 s, 30 s), settable as `connect_timeout` / `timeout` options.
#[cfg(feature = "cloud")]
fn retry() -> RetryConfig {
    RetryConfig {
        max_retries: MAX_RETRIES,
        retry_timeout: RETRY_TIMEOUT,
        ..RetryConfig::default()
    }
}

/// Applies `options` through `apply`, which parses a key for the store at hand.
fn apply_options<B>(
    mut builder: B,
    base: &Url,
    options: &StorageOptions,
    apply: impl Fn(B, &str, &str) -> Option<B>,
) -> Result<B, StoreError> {
    for (key, value) in options.iter() {
        builder = apply(builder, key, value).ok_or_else(|| StoreError::InvalidOption {
            url: base.to_string(),
            key: key.to_string(),
            reason: "not a configuration key of this store".to_string(),
        })?;
    }
    Ok(builder)
}

/// A store that is also a multipart store (upload ids known: killed runs' uploads can be
/// aborted later).
fn entry<S: object_store::ObjectStore + MultipartStore>(base: &Url, store: Arc<S>) -> StoreEntry {
    StoreEntry {
        base: base.clone(),
        store: Arc::clone(&store) as _,
        multipart: Some(store),
    }
}

/// The three cloud builders share their shape but no trait: environment, the URL, the crate's
/// retry policy, then the explicit options (keys parsed by the builder's own config-key type).
#[cfg(feature = "cloud")]
macro_rules! cloud_store {
    ($builder:ty, $base:expr, $options:expr) => {{
        let builder = <$builder>::from_env()
            .with_url($base.as_str())
            .with_retry(retry());
        let builder = apply_options(builder, $base, $options, |b, k, v| {
            Some(b.with_config(k.to_ascii_lowercase().parse().ok()?, v))
        })?;
        let store = builder.build().map_err(|source| StoreError::Build {
            url: $base.to_string(),
            source,
        })?;
        Ok(entry($base, Arc::new(store)))
    }};
}

/// The store `base` (`scheme://bucket`) names, configured by the environment, then `options`.
pub(super) fn build(
    scheme: ObjectStoreScheme,
    base: &Url,
    options: &StorageOptions,
) -> Result<StoreEntry, StoreError> {
    match scheme {
        ObjectStoreScheme::Memory => {
            apply_options((), base, options, |_, _, _| None)?;
            Ok(entry(base, Arc::new(InMemory::new())))
        }
        #[cfg(feature = "cloud")]
        ObjectStoreScheme::AmazonS3 => {
            cloud_store!(object_store::aws::AmazonS3Builder, base, options)
        }
        #[cfg(feature = "cloud")]
        ObjectStoreScheme::GoogleCloudStorage => {
            cloud_store!(object_store::gcp::GoogleCloudStorageBuilder, base, options)
        }
        #[cfg(feature = "cloud")]
        ObjectStoreScheme::MicrosoftAzure => {
            cloud_store!(object_store::azure::MicrosoftAzureBuilder, base, options)
        }
        other => Err(StoreError::InvalidUrl {
            url: base.to_string(),
            reason: match other {
                ObjectStoreScheme::Local => "a local path, not an object store".to_string(),
                #[cfg(not(feature = "cloud"))]
                ObjectStoreScheme::AmazonS3
                | ObjectStoreScheme::GoogleCloudStorage
                | ObjectStoreScheme::MicrosoftAzure => {
                    "built without the `cloud` cargo feature".to_string()
                }
                _ => "not a supported object store (s3://, gs://, az://, memory://)".to_string(),
            },
        }),
    }
}
