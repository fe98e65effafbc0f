use super::{Conn, Mode, Result};
use crate::StoreError;
use futures::future::BoxFuture;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard, Semaphore};

/// Readers share a few connections; all writers queue on one connection, so
/// they wait in our queue instead of spinning on SQLite's busy handler.
pub(super) struct SqlitePool {
    path: PathBuf,
    readers: Vec<Arc<Mutex<Connection>>>,
    free_readers: Semaphore,
    writer: Arc<Mutex<Connection>>,
    _checkpoints: Checkpointer,
}

impl SqlitePool {
    pub fn open(path: &Path, sync_full: bool) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Io(format!("{}: {e}", dir.display())))?;
        }
        let writer = Arc::new(Mutex::new(open_connection(path, sync_full)?));
        let readers = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .max(2);
        Ok(SqlitePool {
            path: path.to_owned(),
            readers: (0..readers)
                .map(|_| open_connection(path, sync_full).map(|c| Arc::new(Mutex::new(c))))
                .collect::<Result<_>>()?,
            free_readers: Semaphore::new(readers),
            _checkpoints: Checkpointer::start(path, sync_full, writer.clone())?,
            writer,
        })
    }

    pub async fn run<T, F>(&self, mode: Mode, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let (guard, _permit) = match mode {
            Mode::Write => (self.writer.clone().lock_owned().await, None),
            Mode::Read | Mode::Scan => {
                let permit = self
                    .free_readers
                    .acquire()
                    .await
                    .map_err(|_| StoreError::Closed)?;
                let guard = self
                    .readers
                    .iter()
                    .find_map(|c| c.clone().try_lock_owned().ok())
                    .ok_or(StoreError::Closed)?;
                (guard, Some(permit))
            }
        };
        match mode {
            // A read is a few index probes, tens of microseconds: handing
            // it to a blocking thread and back cost more than the read (a
            // quarter of the 360° request's CPU went to those wake-ups).
            Mode::Read => in_transaction(guard, mode, work),
            // Scans and writes (an import, a merge) can be long and must not
            // hold a runtime thread.
            Mode::Scan | Mode::Write => {
                tokio::task::spawn_blocking(move || in_transaction(guard, mode, work))
                    .await
                    .map_err(|e| StoreError::Db(format!("database task failed: {e}")))?
            }
        }
    }

    /// Reads the database file once, on a thread of its own, so that the
    /// operating system caches it. Short reads run on the async runtime's
    /// threads (see [`SqlitePool::run`]): after a reboot, or once other work
    /// has pushed the file out of the cache, each of them waited for the disk
    /// and held up every request behind it (p99 3.3 s and half the requests
    /// dropped in the first 25 s of a mixed load on a 2.4 GB file). Skipped
    /// when the file is over half the memory available, where reading it
    /// would only push out other pages.
    pub fn prewarm(&self) {
        let Some(available) = available_memory() else {
            return;
        };
        let Ok(mut file) = std::fs::File::open(&self.path) else {
            return;
        };
        if file.metadata().map_or(true, |m| m.len() > available / 2) {
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("sqlite-prewarm".into())
            .spawn(move || {
                let mut chunk = vec![0u8; 1 << 20];
                while matches!(std::io::Read::read(&mut file, &mut chunk), Ok(n) if n > 0) {}
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "could not start reading the database into the cache");
        }
    }

    pub async fn backup_to(&self, target: &Path) -> Result<()> {
        if target.exists() {
            return Err(StoreError::Io(format!(
                "{} already exists",
                target.display()
            )));
        }
        let source = self.path.clone();
        let target = target.to_owned();
        tokio::task::spawn_blocking(move || {
            // Its own connection, so a long copy holds no pooled connection.
            let conn = open_connection(&source, false)?;
            conn.execute("VACUUM INTO ?1", [target.to_string_lossy()])?;
            Ok(())
        })
        .await
        .map_err(|e| StoreError::Db(format!("backup task failed: {e}")))?
    }
}

/// Runs `work` on `guard`'s connection in one transaction.
fn in_transaction<T, F>(guard: OwnedMutexGuard<Connection>, mode: Mode, work: F) -> Result<T>
where
    F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T>>,
{
    let mut conn = Conn::Sqlite(guard);
    let Conn::Sqlite(c) = &mut conn else {
        unreachable!()
    };
    // A unit of work that panicked may have left its transaction open.
    if !c.is_autocommit() {
        c.execute_batch("ROLLBACK")?;
    }
    c.execute_batch(if mode == Mode::Write {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN"
    })?;
    let result = futures::executor::block_on(work(&mut conn));
    let Conn::Sqlite(c) = &mut conn else {
        unreachable!()
    };
    match result {
        Ok(value) => match c.execute_batch("COMMIT") {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = c.execute_batch("ROLLBACK");
                Err(e.into())
            }
        },
        Err(e) => {
            c.execute_batch("ROLLBACK")?;
            Err(e)
        }
    }
}

/// Copies the write-ahead log into the database on a thread of its own.
/// SQLite would otherwise checkpoint inside whichever commit crossed 1,000
/// log pages, and that commit waited for the copy and its fsync: the tail
/// of the write latency. Stops when dropped.
struct Checkpointer {
    /// Dropping it ends the thread.
    _stop: std::sync::mpsc::Sender<()>,
}

impl Checkpointer {
    const EVERY: std::time::Duration = std::time::Duration::from_millis(250);
    /// Log pages (4 KiB each) beyond which the log is made to restart.
    const MOST_PAGES: i64 = 4096;
    /// Frames not yet copied that a checkpoint may copy while no write can
    /// start: tens of milliseconds of writes at most.
    const FEW_PAGES: i64 = 256;
    /// Catch-up checkpoints at most before writes are held off anyway.
    const CATCH_UP: usize = 8;

    fn start(path: &Path, sync_full: bool, writer: Arc<Mutex<Connection>>) -> Result<Checkpointer> {
        let conn = open_connection(path, sync_full)?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(Self::EVERY)
                {
                    Self::pass(&conn, &writer);
                }
            })
            .map_err(|e| StoreError::Io(format!("checkpoint thread: {e}")))?;
        Ok(Checkpointer { _stop: stop })
    }

    /// A passive checkpoint never waits, but under steady writes it never
    /// copies the last frames either, and the log restarts from its
    /// beginning only once all are copied. So when the log has grown long,
    /// passive checkpoints catch up until few frames are left, and one
    /// more copies those while no write can start. (Holding writes off
    /// for the whole copy stalled every write for 25–100 ms, the copy's
    /// fsync, four times a second under a steady load of creates.)
    fn pass(conn: &Connection, writer: &Mutex<Connection>) {
        let Some((mut log, mut copied)) = Self::checkpoint(conn) else {
            return;
        };
        if log <= Self::MOST_PAGES {
            return;
        }
        for _ in 0..Self::CATCH_UP {
            if log - copied <= Self::FEW_PAGES {
                break;
            }
            let Some(next) = Self::checkpoint(conn) else {
                return;
            };
            (log, copied) = next;
        }
        let _no_writes = writer.blocking_lock();
        Self::checkpoint(conn);
    }

    /// A passive checkpoint: the log's frames and how many of them are
    /// copied into the database.
    fn checkpoint(conn: &Connection) -> Option<(i64, i64)> {
        match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        }) {
            Ok(pages) => Some(pages),
            Err(e) => {
                tracing::warn!(error = %e, "WAL checkpoint failed");
                None
            }
        }
    }
}

/// Bytes of memory the kernel could give without swapping (Linux).
fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Each connection's page cache, in KiB.
const CACHE_KIB: i64 = 32_000;
/// The writer's page cache while it bulk-loads (an import): the index
/// B-trees a large load writes into outgrow the normal cache, and each miss
/// is a read of the file.
const BULK_CACHE_KIB: i64 = 256_000;

/// The statement that sets a connection's page cache for bulk loading
/// (`true`) or back to normal.
pub(crate) fn cache_pragma(bulk: bool) -> String {
    let kib = if bulk { BULK_CACHE_KIB } else { CACHE_KIB };
    format!("PRAGMA cache_size = -{kib}")
}

fn open_connection(path: &Path, sync_full: bool) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // busy_timeout first: two connections switching to WAL at once otherwise
    // fail at once with "database is locked" (research/store.md).
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // NORMAL survives kill -9 of the process (the WAL is in the OS cache);
    // FULL also survives power loss, at an fsync per commit.
    conn.pragma_update(
        None,
        "synchronous",
        if sync_full { "FULL" } else { "NORMAL" },
    )?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // The Checkpointer copies the log; no commit does.
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    // The log restarts from its beginning after a full checkpoint; this
    // gives back the disk of a burst rather than keeping the largest size.
    conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    conn.set_prepared_statement_cache_capacity(256);
    // Without the planner stability guarantee SQLite compiles a statement
    // again on every new binding of a parameter it compared with a
    // constant while planning (a partial index's WHERE, a LIKE pattern):
    // 44 % of the 360° request's CPU went to those recompiles. Queries that
    // need a partial index with a constant in its WHERE write the constant
    // into their SQL instead of binding it.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    // A long-lived connection analyses what needs it when it opens (SQLite's
    // advice); the worker runs `PRAGMA optimize` as the data grows.
    conn.execute_batch("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;")?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Under steady writes a passive checkpoint never copies the frames
    /// written while it runs; a pass ends with a copy that writes wait
    /// for, so the log starts from its beginning again (the file stops
    /// growing) while they go on.
    #[test]
    fn a_long_log_restarts_under_steady_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wal.db");
        let writer = Arc::new(Mutex::new(open_connection(&path, false).unwrap()));
        let checkpoints = open_connection(&path, false).unwrap();
        writer
            .blocking_lock()
            .execute_batch("CREATE TABLE t (v BLOB)")
            .unwrap();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writes = {
            let (writer, stop) = (writer.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let w = writer.blocking_lock();
                    w.execute_batch("INSERT INTO t VALUES (zeroblob(12000))")
                        .unwrap();
                }
            })
        };
        let wal = dir.path().join("wal.db-wal");
        while std::fs::metadata(&wal).map_or(0, |m| m.len())
            < 8192 * Checkpointer::MOST_PAGES as u64
        {
            std::thread::yield_now();
        }
        Checkpointer::pass(&checkpoints, &writer);
        writer
            .blocking_lock()
            .execute_batch("INSERT INTO t VALUES (zeroblob(12000))")
            .unwrap();
        let after = Checkpointer::checkpoint(&checkpoints).unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        writes.join().unwrap();
        assert!(
            after.0 < Checkpointer::MOST_PAGES,
            "the log restarted: {after:?} (frames, copied)"
        );
    }

    /// The bundled SQLite is built with the flags of `.cargo/config.toml`:
    /// without them every page fetch of every connection takes one
    /// process-wide mutex (a cargo run from outside the workspace would
    /// not read that file).
    #[test]
    fn connections_share_no_page_cache_lock() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let mut statement = conn.prepare("PRAGMA compile_options").unwrap();
        let options: Vec<String> = statement
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
            "{options:?}"
        );
        assert!(
            options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
            "{options:?}"
        );
    }
}
