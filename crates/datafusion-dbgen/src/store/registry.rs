//! [`StoreRegistry`]: DataFusion's object-store registry that builds cloud stores on first use.

use std::sync::Arc;

use datafusion::error::{DataFusionError, Result};
use datafusion::execution::object_store::{DefaultObjectStoreRegistry, ObjectStoreRegistry};
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use object_store::ObjectStore;
use url::Url;

use super::{ObjectStores, StoreEntry, is_object_url};

/// An object-store registry for a DataFusion runtime: stores registered explicitly come first
/// (as in DataFusion's default registry); an `s3://`, `gs://` or `az://` URL without one gets a
/// store built from the environment and the session's [`StorageOptions`](super::StorageOptions)
/// ([`ObjectStores`]), so `SELECT * FROM 's3://bucket/lineitem.parquet'`, `COPY … TO 's3://…'`
/// and Parquet sources in buckets work without registering anything.
///
/// Stores registered explicitly are used by the crate's uploads too.
#[derive(Debug)]
pub struct StoreRegistry {
    registered: DefaultObjectStoreRegistry,
    stores: Arc<ObjectStores>,
}

impl StoreRegistry {
    /// A registry that builds missing stores with `stores`.
    pub fn new(stores: Arc<ObjectStores>) -> Self {
        StoreRegistry {
            registered: DefaultObjectStoreRegistry::new(),
            stores,
        }
    }

    /// The stores it builds with.
    pub fn stores(&self) -> &Arc<ObjectStores> {
        &self.stores
    }

    /// A DataFusion runtime whose object stores come from `registry`, spilling into `temp_dir`
    /// when given: the runtime of the crate's sessions and of every cluster process.
    pub fn runtime(
        registry: &Arc<StoreRegistry>,
        temp_dir: Option<&str>,
    ) -> Result<Arc<RuntimeEnv>> {
        let mut builder = RuntimeEnvBuilder::new()
            .with_object_store_registry(Arc::clone(registry) as Arc<dyn ObjectStoreRegistry>);
        if let Some(dir) = temp_dir {
            builder = builder.with_temp_file_path(dir);
        }
        builder.build_arc()
    }
}

impl ObjectStoreRegistry for StoreRegistry {
    fn register_store(
        &self,
        url: &Url,
        store: Arc<dyn ObjectStore>,
    ) -> Option<Arc<dyn ObjectStore>> {
        if url.scheme() != "file"
            && let Ok(base) = Url::parse(&format!("{}://{}", url.scheme(), url.authority()))
        {
            self.stores
                .insert(StoreEntry::from_store(base, Arc::clone(&store)));
        }
        self.registered.register_store(url, store)
    }

    fn deregister_store(&self, url: &Url) -> Result<Arc<dyn ObjectStore>> {
        self.registered.deregister_store(url)
    }

    fn get_store(&self, url: &Url) -> Result<Arc<dyn ObjectStore>> {
        match self.registered.get_store(url) {
            Ok(store) => Ok(store),
            Err(e) if !is_object_url(std::path::Path::new(url.as_str())) => Err(e),
            Err(_) => {
                let (entry, _) = self
                    .stores
                    .resolve(url.as_str())
                    .map_err(|e| DataFusionError::External(Box::new(e)))?;
                let store = entry.store();
                self.registered.register_store(url, Arc::clone(&store));
                Ok(store)
            }
        }
    }
}
