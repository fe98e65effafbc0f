//! Imports as runs: recording one as `running` before its rows are read,
//! keeping its lease, and marking it `failed` when it rolled back or its
//! process died. SQLite has one writer and a run is one transaction, so
//! nothing about a run can be written while it lasts: its live progress is
//! kept by the server running it, and only its start and end are rows.

use super::{Import, Lease, get};
use crate::orgs::now;
use crate::{Conn, Engine, Raw, Result};
use hearth_domain::history::Actor;
use hearth_domain::import::{Kind, Problem};
use hearth_domain::{ImportId, OrgId};

/// Problems a failed import keeps: enough to fix a file, bounded so a file
/// that is wrong on every one of a million lines stays one small row.
const PROBLEMS_KEPT: usize = 10_000;

/// Records an import as `running`. `lease` names the server running it in
/// the background (none for a run in the caller's transaction, which
/// nobody else sees running); `bytes_total` is the file's size when known.
pub async fn begin(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    kind: Kind,
    lease: Option<Lease>,
    bytes_total: Option<u64>,
) -> Result<Import> {
    let id = ImportId::new();
    c.execute(&Raw(
        "INSERT INTO imports (id, org_id, kind, status, rows_imported, rows_skipped, \
         actor_name, created_at, bytes_total, started_by, lease_until) \
         VALUES ($1, $2, $3, 'running', 0, 0, $4, $5, $6, $7, $8)",
        vec![
            id.0.into(),
            org.0.into(),
            kind.as_str().into(),
            actor.name.clone().into(),
            now().into(),
            bytes_total.map(|b| b as i64).into(),
            lease.map(|l| l.instance).into(),
            lease.map(|l| l.until).into(),
        ],
    ))
    .await?;
    get(c, org, id).await
}

/// Why a run imported nothing.
#[derive(Clone, Debug, Default)]
pub struct Failure {
    pub error: String,
    pub problems: Vec<Problem>,
    /// Data rows read before it stopped.
    pub rows_read: u64,
}

impl Failure {
    /// The process running the import died (or lost its lease).
    pub fn interrupted() -> Failure {
        Failure {
            error: "interrupted: the server running this import stopped; nothing was imported"
                .into(),
            ..Failure::default()
        }
    }
}

/// Marks a running import `failed`, in a transaction of its own after its
/// run rolled back. An import that is no longer running is left as it is.
pub async fn fail(c: &mut Conn, org: OrgId, id: ImportId, failure: &Failure) -> Result<()> {
    let kept = &failure.problems[..failure.problems.len().min(PROBLEMS_KEPT)];
    let problems = serde_json::to_value(kept).unwrap_or_default();
    c.execute(&Raw(
        "UPDATE imports SET status = 'failed', error = $1, problems = $2, problem_count = $3, \
         rows_read = $4, finished_at = $5, lease_until = NULL \
         WHERE id = $6 AND org_id = $7 AND status = 'running'",
        vec![
            failure.error.clone().into(),
            problems.into(),
            (failure.problems.len() as i64).into(),
            (failure.rows_read as i64).into(),
            now().into(),
            id.0.into(),
            org.0.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Extends the lease of an import this server still runs.
pub async fn renew(c: &mut Conn, org: OrgId, id: ImportId, lease: Lease) -> Result<()> {
    c.execute(&Raw(
        "UPDATE imports SET lease_until = $1 \
         WHERE id = $2 AND org_id = $3 AND status = 'running' AND started_by = $4",
        vec![
            lease.until.into(),
            id.0.into(),
            org.0.into(),
            lease.instance.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// At start-up: marks `failed` the running imports whose server died
/// (`kill -9`, power loss). One process owns a SQLite database, so there
/// every running import is such an orphan; on PostgreSQL other instances
/// may be running theirs, so only those whose lease ran out. This sweeps
/// every organisation: it is housekeeping of the whole database, not a
/// request. Returns how many were marked.
pub async fn interrupt_abandoned(c: &mut Conn) -> Result<u64> {
    let sql = match c.engine() {
        Engine::Sqlite => {
            "UPDATE imports SET status = 'failed', error = $1, finished_at = $2, \
             lease_until = NULL WHERE status = 'running'"
        }
        Engine::Postgres => {
            "UPDATE imports SET status = 'failed', error = $1, finished_at = $2, \
             lease_until = NULL WHERE status = 'running' AND lease_until < $2"
        }
    };
    c.execute(&Raw(
        sql,
        vec![Failure::interrupted().error.into(), now().into()],
    ))
    .await
}
