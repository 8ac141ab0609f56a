//! Content-addressed blobs (attachments) through `object_store`: the key is
//! `<complex>/<first two hex digits>/<sha256>`, so a blob path carries its tenant and can be checked
//! against its own name. File names live in the database (object_store percent-encodes Hangul).

use std::path::PathBuf;
use std::sync::Arc;

use malgeun_domain::content::Sha256Hash;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::error::StoreError;

/// Where attachment bytes live.
#[derive(Clone, Debug)]
pub struct BlobStore {
    inner: Arc<dyn ObjectStore>,
    /// Set for the local filesystem, whose writes we fsync ourselves before the referencing
    /// transaction commits (invariant 8).
    local_root: Option<PathBuf>,
}

fn key(complex_id: &str, sha: &Sha256Hash) -> Path {
    let hex = sha.to_hex();
    Path::from(format!("{complex_id}/{}/{hex}", &hex[..2]))
}

fn blob_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Blob(e.to_string())
}

impl BlobStore {
    /// A store on the local filesystem under `root` (created if missing).
    pub fn local(root: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let root = root.into();
        std::fs::create_dir_all(&root).map_err(blob_err)?;
        let fs = LocalFileSystem::new_with_prefix(&root).map_err(blob_err)?;
        Ok(Self {
            inner: Arc::new(fs),
            local_root: Some(root),
        })
    }

    /// Stores bytes under their SHA-256 and makes them durable; returns the hash.
    pub async fn put(&self, complex_id: &str, bytes: Vec<u8>) -> Result<Sha256Hash, StoreError> {
        let sha = Sha256Hash::of(&bytes);
        let location = key(complex_id, &sha);
        self.inner
            .put(&location, PutPayload::from(bytes))
            .await
            .map_err(blob_err)?;
        if let Some(root) = &self.local_root {
            let path = root.join(location.as_ref());
            tokio::task::spawn_blocking(move || {
                std::fs::File::open(&path)?.sync_all()?;
                if let Some(dir) = path.parent() {
                    std::fs::File::open(dir)?.sync_all()?;
                }
                Ok::<_, std::io::Error>(())
            })
            .await
            .map_err(blob_err)?
            .map_err(blob_err)?;
        }
        Ok(sha)
    }

    /// Reads a blob; `None` when it does not exist.
    pub async fn get(
        &self,
        complex_id: &str,
        sha: &Sha256Hash,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        match self.inner.get(&key(complex_id, sha)).await {
            Ok(r) => Ok(Some(r.bytes().await.map_err(blob_err)?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(blob_err(e)),
        }
    }

    /// The local path of a blob, for tests that tamper with files on purpose.
    pub fn local_path(&self, complex_id: &str, sha: &Sha256Hash) -> Option<PathBuf> {
        self.local_root
            .as_ref()
            .map(|r| r.join(key(complex_id, sha).as_ref()))
    }
}
