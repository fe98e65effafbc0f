//! One async store API over two engines.
//!
//! A unit of work is an async closure over a [`Conn`]. On PostgreSQL it runs
//! as its own task on a pooled connection. On SQLite the whole closure runs
//! inside a single `spawn_blocking` hop, where every statement completes
//! synchronously: the hop costs more than the queries (research/store.md), so
//! a request pays it once, not per statement.

mod bind;
mod conn;
mod postgres;
mod row;
mod sqlite;

pub(crate) use sqlite::cache_pragma;

pub use conn::{Bulk, Conn, Raw, Sql};
pub use row::{Col, Row};

use crate::StoreError;
use futures::future::BoxFuture;
use std::path::Path;
use std::sync::Arc;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    backend: Arc<Backend>,
}

enum Backend {
    Sqlite(sqlite::SqlitePool),
    Postgres(postgres::PgPool),
}

/// Whether a unit of work may write; writers are serialised on SQLite and
/// wrapped in a transaction on both engines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Read,
    /// A read whose cost grows with the organisation's data.
    Scan,
    Write,
}

impl Store {
    /// Opens (creating if needed) a SQLite database file in WAL mode.
    pub fn open_sqlite(path: &Path, sync_full: bool) -> Result<Store> {
        Ok(Store {
            backend: Arc::new(Backend::Sqlite(sqlite::SqlitePool::open(path, sync_full)?)),
        })
    }

    /// Connects to PostgreSQL. `options` is passed to the server on connect
    /// (tests use it to set a private `search_path`).
    pub async fn connect_postgres(url: &str, max_connections: usize) -> Result<Store> {
        Ok(Store {
            backend: Arc::new(Backend::Postgres(
                postgres::PgPool::connect(url, max_connections).await?,
            )),
        })
    }

    pub fn engine(&self) -> Engine {
        match &*self.backend {
            Backend::Sqlite(_) => Engine::Sqlite,
            Backend::Postgres(_) => Engine::Postgres,
        }
    }

    /// Runs read-only work on a pooled connection.
    pub async fn read<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        self.run(Mode::Read, work).await
    }

    /// Runs read-only work whose cost grows with the organisation's data
    /// (an org-wide scan, a count over a segment, a report). On SQLite it
    /// runs on a blocking thread, so it never holds up the runtime threads
    /// that the short reads of [`Store::read`] run on.
    pub async fn read_scan<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        self.run(Mode::Scan, work).await
    }

    /// Runs work in one transaction: everything it writes commits together
    /// or not at all (`BEGIN IMMEDIATE` on SQLite, so a read-then-write never
    /// fails on lock upgrade).
    pub async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        self.run(Mode::Write, work).await
    }

    async fn run<T, F>(&self, mode: Mode, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        match &*self.backend {
            Backend::Sqlite(pool) => pool.run(mode, work).await,
            Backend::Postgres(pool) => pool.run(mode, work).await,
        }
    }

    /// PostgreSQL: payloads of `NOTIFY channel` from any instance, received
    /// on a dedicated connection that reconnects after failures (what is
    /// sent while it reconnects is lost). SQLite: `None`, as one process
    /// owns the database and an in-process channel suffices.
    pub fn listen(&self, channel: &'static str) -> Option<tokio::sync::mpsc::Receiver<String>> {
        match &*self.backend {
            Backend::Sqlite(_) => None,
            Backend::Postgres(pool) => Some(pool.listen(channel)),
        }
    }

    /// Refreshes the planner's statistics. Without them SQLite weighs two
    /// equally long index prefixes alike, and a customer's completed-job
    /// count walked every completed job of the org (`jobs_status`) instead
    /// of the customer's few (`jobs_customer`): 1 s instead of 50 µs at
    /// 100k customers. `full` analyses everything (after a bulk load);
    /// otherwise SQLite re-analyses only tables that changed a lot, and
    /// PostgreSQL leaves it to autovacuum.
    pub async fn optimize(&self, full: bool) -> Result<()> {
        let sql = match (self.engine(), full) {
            (_, true) => "ANALYZE",
            (Engine::Sqlite, false) => "PRAGMA optimize",
            (Engine::Postgres, false) => return Ok(()),
        };
        self.write(|c| Box::pin(c.batch(sql))).await
    }

    /// SQLite: starts reading the database file into the operating
    /// system's cache in the background, for a server about to take
    /// requests (a command that runs and exits has no use for it).
    /// PostgreSQL keeps its own cache: nothing to do.
    pub fn prewarm(&self) {
        if let Backend::Sqlite(pool) = &*self.backend {
            pool.prewarm();
        }
    }

    /// Writes a consistent copy of a SQLite database while it serves.
    pub async fn backup_to(&self, target: &Path) -> Result<()> {
        match &*self.backend {
            Backend::Sqlite(pool) => pool.backup_to(target).await,
            Backend::Postgres(_) => Err(StoreError::Unsupported(
                "hearth backup copies SQLite databases; for PostgreSQL use pg_dump (see README)",
            )),
        }
    }
}
