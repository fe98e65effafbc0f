//! Attachment bytes (job photos) through `object_store`: a folder under the
//! data directory by default, a bucket at scale; the database keeps only the
//! key, size, type and digest. Keys are built from ids by the caller, never
//! from a client's file name, so nothing a client sends can name a path.

use crate::{Result, StoreError};
use bytes::Bytes;
use futures::StreamExt;
use object_store::path::{Path, PathPart};
use object_store::{GetOptions, ObjectStore, PutOptions, PutPayload};
use sha2::{Digest, Sha256};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct Files {
    inner: Arc<dyn ObjectStore>,
}

impl Default for Files {
    /// In memory: for tests and throwaway servers only.
    fn default() -> Self {
        Files::memory()
    }
}

impl Files {
    /// Files in `dir`, which is created if needed.
    pub fn local(dir: &std::path::Path) -> Result<Files> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Io(format!("{}: {e}", dir.display())))?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| StoreError::Io(format!("{}: {e}", dir.display())))?;
        Ok(Files {
            inner: Arc::new(store),
        })
    }

    pub fn memory() -> Files {
        Files {
            inner: Arc::new(object_store::memory::InMemory::new()),
        }
    }

    pub async fn put(&self, key: &[&str], bytes: Bytes) -> Result<()> {
        // The trait's own methods: their futures are Send, as a handler's must be.
        self.inner
            .put_opts(&path(key), PutPayload::from(bytes), PutOptions::default())
            .await
            .map(drop)
            .map_err(io)
    }

    pub async fn get(&self, key: &str) -> Result<Bytes> {
        let path = Path::parse(key).map_err(|e| StoreError::Io(e.to_string()))?;
        match self.inner.get_opts(&path, GetOptions::default()).await {
            Ok(found) => found.bytes().await.map_err(io),
            Err(object_store::Error::NotFound { .. }) => Err(StoreError::NotFound),
            Err(e) => Err(io(e)),
        }
    }

    /// Removes a file; one that is already gone is fine.
    pub async fn delete(&self, key: &[&str]) -> Result<()> {
        let one = futures::stream::once(futures::future::ready(Ok(path(key)))).boxed();
        match self.inner.delete_stream(one).next().await {
            None | Some(Ok(_)) | Some(Err(object_store::Error::NotFound { .. })) => Ok(()),
            Some(Err(e)) => Err(io(e)),
        }
    }
}

/// The key of `parts`, joined by `/`, each part encoded so that it stays
/// one path segment whatever it contains.
pub fn path(parts: &[&str]) -> Path {
    Path::from_iter(parts.iter().map(|p| PathPart::from(*p)))
}

fn io(e: object_store::Error) -> StoreError {
    StoreError::Io(e.to_string())
}

/// Hex SHA-256, as recorded with every attachment.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
