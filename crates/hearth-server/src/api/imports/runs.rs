//! Uploads streamed to disk, and imports run in the background. A run is
//! one transaction and SQLite has one writer, so nothing can be written
//! while it lasts: its live progress is kept here, in memory, by the
//! server running it, and the database holds its `running` row (committed
//! before the run) and its end (`done` in the run's transaction, `failed`
//! in one of its own afterwards).

use crate::AppState;
use crate::error::AppError;
use axum::body::Body;
use axum::http::{HeaderMap, header};
use chrono::Utc;
use futures::StreamExt;
use hearth_domain::ImportId;
use hearth_domain::OrgId;
use hearth_domain::history::Actor;
use hearth_domain::import::Status;
use hearth_store::imports::{self, Failure, Import, Lease, Options, Progress};
use hearth_store::{Engine, Store, StoreError, work};
use std::collections::HashMap;
use std::io::{BufReader, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};
use uuid::Uuid;

/// The largest CSV file the API takes unless configured otherwise.
pub const DEFAULT_UPLOAD_LIMIT: u64 = 4 << 30;

/// How long a server's claim on a running import lasts unless renewed; it
/// renews a third of the way in, so one slow renewal does not lose it.
const LEASE: Duration = Duration::from_secs(60);

/// A CSV file received into an unnamed temporary file, which the system
/// removes when it is closed: after the import, on any failure, and also
/// when the process is killed.
pub struct Upload {
    file: std::fs::File,
    pub bytes: u64,
}

impl Upload {
    /// Streams `body` to disk chunk by chunk, refusing (413) beyond `limit`.
    pub async fn receive(
        dir: Option<PathBuf>,
        limit: u64,
        headers: &HeaderMap,
        body: Body,
    ) -> Result<Upload, AppError> {
        let too_large = || AppError::PayloadTooLarge(usize::try_from(limit).unwrap_or(usize::MAX));
        let announced = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let dir = dir.unwrap_or_else(std::env::temp_dir);
        let file = tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir)?;
            tempfile::tempfile_in(&dir)
        })
        .await
        .map_err(|e| AppError::Internal(format!("upload task failed: {e}")))?
        .map_err(|e| AppError::Internal(format!("creating the upload file: {e}")))?;
        let mut file = tokio::fs::File::from_std(file);
        let written = |e: std::io::Error| AppError::Internal(format!("writing the upload: {e}"));
        let mut bytes = 0u64;
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| {
                AppError::BadRequest("the upload was cut off before the end of the file".into())
            })?;
            bytes += chunk.len() as u64;
            if bytes > limit {
                return Err(too_large());
            }
            file.write_all(&chunk).await.map_err(written)?;
        }
        file.flush().await.map_err(written)?;
        file.rewind().await.map_err(written)?;
        Ok(Upload {
            file: file.into_std().await,
            bytes,
        })
    }

    pub fn into_reader(self) -> impl Read + Send + 'static {
        BufReader::with_capacity(1 << 20, self.file)
    }
}

/// Rows and bytes read so far by one running import.
#[derive(Default)]
struct Live {
    rows: AtomicU64,
    bytes: AtomicU64,
}

/// The imports this server runs in the background, with their progress.
pub struct ImportRuns {
    /// Names this process in the leases it takes.
    instance: Uuid,
    live: Mutex<HashMap<ImportId, Arc<Live>>>,
}

impl Default for ImportRuns {
    fn default() -> Self {
        ImportRuns {
            instance: Uuid::now_v7(),
            live: Mutex::default(),
        }
    }
}

/// An import's place in [`ImportRuns`], given up when dropped: when its
/// run has ended, and also if the task running it panicked.
struct Tracked {
    runs: Arc<ImportRuns>,
    id: ImportId,
    live: Arc<Live>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.runs.entries().remove(&self.id);
    }
}

impl ImportRuns {
    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<ImportId, Arc<Live>>> {
        // A panic while holding the lock left only counters behind.
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lease(&self) -> Lease {
        Lease {
            instance: self.instance,
            until: Utc::now() + LEASE,
        }
    }

    fn track(self: &Arc<Self>, id: ImportId) -> Tracked {
        let live = Arc::new(Live::default());
        self.entries().insert(id, live.clone());
        Tracked {
            runs: self.clone(),
            id,
            live,
        }
    }

    /// Fills in a running import's live progress, or, when no server is
    /// left to finish it, marks it failed ("interrupted") and reads it anew.
    pub async fn observe(
        &self,
        store: &Store,
        org: OrgId,
        mut import: Import,
    ) -> Result<Import, AppError> {
        if import.status != Status::Running {
            return Ok(import);
        }
        if let Some(live) = self.entries().get(&import.id) {
            import.rows_read = live.rows.load(Ordering::Relaxed) as i64;
            import.bytes_read = Some(live.bytes.load(Ordering::Relaxed) as i64);
            return Ok(import);
        }
        // One process owns a SQLite database, so a run it does not know
        // is dead; on PostgreSQL another instance may hold a live lease.
        let orphaned = match store.engine() {
            Engine::Sqlite => true,
            Engine::Postgres => import
                .lease
                .is_none_or(|l| l.instance == self.instance || l.until < Utc::now()),
        };
        if !orphaned {
            return Ok(import);
        }
        let id = import.id;
        // The run may have ended between the read and now: `fail` leaves
        // an import that is no longer running alone.
        Ok(store
            .write(work!(|c| async {
                imports::fail(c, org, id, &Failure::interrupted()).await?;
                imports::get(c, org, id).await
            }))
            .await?)
    }
}

/// Records the import as `running` and starts its run in the background;
/// returns the running import.
pub async fn start(
    s: &AppState,
    org: OrgId,
    actor: Actor,
    options: Options,
    upload: Upload,
) -> Result<Import, AppError> {
    let runs = s.imports.clone();
    let (kind, lease, bytes) = (options.kind, runs.lease(), upload.bytes);
    let who = actor.clone();
    let import = s
        .store
        .write(work!(|c| imports::begin(
            c,
            org,
            &who,
            kind,
            Some(lease),
            Some(bytes)
        )))
        .await?;
    // Tracked before the answer, so a poll right after it sees progress.
    let tracked = runs.track(import.id);
    let store = s.store.clone();
    tokio::spawn(run(store, tracked, org, actor, options, upload));
    Ok(import)
}

async fn run(
    store: Store,
    tracked: Tracked,
    org: OrgId,
    actor: Actor,
    options: Options,
    upload: Upload,
) {
    let id = tracked.id;
    let live = tracked.live.clone();
    let progress = move |p: Progress| {
        live.rows.store(p.rows, Ordering::Relaxed);
        live.bytes.store(p.bytes, Ordering::Relaxed);
    };
    // SQLite's one writer is the run itself, and one process owns the
    // database, so only PostgreSQL's leases need renewing.
    let keeper = (store.engine() == Engine::Postgres)
        .then(|| tokio::spawn(keep_lease(store.clone(), tracked.runs.clone(), org, id)));
    let reader = upload.into_reader();
    let outcome = store
        .write(work!(|c| imports::run_begun(
            c, org, &actor, id, reader, &options, &progress
        )))
        .await;
    if let Some(keeper) = keeper {
        keeper.abort();
    }
    let failure = match outcome {
        Ok(_) => None,
        Err(StoreError::ImportProblems(report)) => Some(Failure {
            error: format!(
                "the file has {} problems; nothing was imported",
                report.problems.len()
            ),
            rows_read: report.rows,
            problems: report.problems,
        }),
        Err(e) => {
            tracing::error!(import = %id.0, error = %e, "import failed");
            Some(Failure {
                error: format!(
                    "{}; nothing was imported",
                    AppError::from(e).problem().detail
                ),
                rows_read: tracked.live.rows.load(Ordering::Relaxed),
                problems: Vec::new(),
            })
        }
    };
    if let Some(failure) = failure {
        let marked = store
            .write(work!(|c| imports::fail(c, org, id, &failure)))
            .await;
        if let Err(e) = marked {
            tracing::error!(import = %id.0, error = %e, "could not mark the import failed");
        }
    }
    // Only now is it gone from the live list: a poll in between would take
    // a run that is still ending for an orphan.
    drop(tracked);
}

async fn keep_lease(store: Store, runs: Arc<ImportRuns>, org: OrgId, id: ImportId) {
    loop {
        tokio::time::sleep(LEASE / 3).await;
        let lease = runs.lease();
        if let Err(e) = store
            .write(work!(|c| imports::renew(c, org, id, lease)))
            .await
        {
            tracing::warn!(import = %id.0, error = %e, "could not renew the import's lease");
        }
    }
}
