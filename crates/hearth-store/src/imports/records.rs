//! Imports as records: reading them, listing them, and reverting one.

use super::{customers, leads};
use crate::history::{self, Change};
use crate::orgs::now;
use crate::search::Dynamic;
use crate::{Conn, Raw, Result, StoreError};
use chrono::{DateTime, Utc};
use hearth_domain::history::Actor;
use hearth_domain::import::{Kind, Problem, Status};
use hearth_domain::{ImportId, OrgId};
use serde::Serialize;
use uuid::Uuid;

pub(super) async fn audit(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: ImportId,
    action: &'static str,
    summary: String,
) -> Result<()> {
    history::record(
        c,
        org,
        actor,
        Change {
            entity: "import",
            entity_id: id.0,
            customer_id: None,
            lead_id: None,
            action,
            kind: "import",
            summary,
            fields: &[],
        },
    )
    .await
}

/// An import: finished, or running in the background.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Import {
    pub id: ImportId,
    pub kind: Kind,
    pub status: Status,
    pub rows_imported: i64,
    pub rows_skipped: i64,
    /// Data rows read so far: live while `running` (from the server
    /// running it), all of them once finished.
    pub rows_read: i64,
    /// Bytes of the file read so far, while `running` and once `done`.
    pub bytes_read: Option<i64>,
    /// The uploaded file's size, when it came through the API.
    pub bytes_total: Option<i64>,
    /// Why a `failed` import imported nothing.
    pub error: Option<String>,
    /// A `failed` import's problems by line and field (the first 10,000 of
    /// `problem_count`; empty in lists).
    pub problems: Vec<Problem>,
    pub problem_count: i64,
    pub actor_name: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub reverted_at: Option<DateTime<Utc>>,
    /// Which server runs a `running` import, and until when it has
    /// promised to say it still does.
    #[serde(skip)]
    pub lease: Option<Lease>,
}

/// A server's claim on a running import, renewed while the run lasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lease {
    pub instance: Uuid,
    pub until: DateTime<Utc>,
}

/// `{problems}` is the problems column in a single read, NULL in lists.
const COLUMNS: &str = "id, kind, status, rows_imported, rows_skipped, rows_read, bytes_total, \
     error, {problems}, problem_count, actor_name, created_at, finished_at, reverted_at, \
     started_by, lease_until";

fn columns(problems: bool) -> String {
    COLUMNS.replace(
        "{problems}",
        if problems {
            "problems"
        } else {
            "CAST(NULL AS jsonb)"
        },
    )
}

fn import_row(r: &crate::Row) -> Result<Import> {
    let status = Status::parse(&r.get::<String>(2)?).unwrap_or(Status::Failed);
    let bytes_total: Option<i64> = r.get(6)?;
    let problems = match r.get::<Option<serde_json::Value>>(8)? {
        Some(json) => serde_json::from_value(json).map_err(|e| StoreError::decode(8, e))?,
        None => Vec::new(),
    };
    let lease = match (r.get::<Option<Uuid>>(14)?, r.get(15)?) {
        (Some(instance), Some(until)) => Some(Lease { instance, until }),
        _ => None,
    };
    Ok(Import {
        id: r.get(0)?,
        kind: Kind::parse(&r.get::<String>(1)?).unwrap_or_default(),
        status,
        rows_imported: r.get(3)?,
        rows_skipped: r.get(4)?,
        rows_read: r.get(5)?,
        bytes_read: (status == Status::Done).then_some(bytes_total).flatten(),
        bytes_total,
        error: r.get(7)?,
        problems,
        problem_count: r.get(9)?,
        actor_name: r.get(10)?,
        created_at: r.get(11)?,
        finished_at: r.get(12)?,
        reverted_at: r.get(13)?,
        lease,
    })
}

pub async fn get(c: &mut Conn, org: OrgId, id: ImportId) -> Result<Import> {
    let sql = format!(
        "SELECT {} FROM imports WHERE id = $1 AND org_id = $2",
        columns(true)
    );
    c.query_one(&Dynamic(sql, vec![id.0.into(), org.0.into()]), import_row)
        .await
}

/// The organisation's imports, newest first (ids are time-ordered), a page
/// at a time after the last id seen: a range of the `imports_org` index.
pub async fn list(
    c: &mut Conn,
    org: OrgId,
    after: Option<ImportId>,
    limit: u64,
) -> Result<crate::page::Page<Import>> {
    let mut params: Vec<sea_query::Value> = vec![org.0.into(), ((limit + 1) as i64).into()];
    let mut after_sql = "";
    if let Some(after) = after {
        params.push(after.0.into());
        after_sql = "AND id < $3";
    }
    let sql = format!(
        "SELECT {} FROM imports WHERE org_id = $1 {after_sql} ORDER BY id DESC LIMIT $2",
        columns(false)
    );
    let rows = c.query(&Dynamic(sql, params), import_row).await?;
    Ok(crate::page::finish(rows, limit, |i| i.id))
}

/// Reverts a finished import: every record it created goes to the bin
/// (soft delete, so each can still be restored).
pub async fn revert(c: &mut Conn, org: OrgId, actor: &Actor, id: ImportId) -> Result<Import> {
    let import = get(c, org, id).await?;
    if import.reverted_at.is_some() {
        return Err(StoreError::Refused(
            "this import has already been reverted".into(),
        ));
    }
    match import.status {
        Status::Done => {}
        Status::Running => {
            return Err(StoreError::Refused(
                "this import is still running; revert it once it is done".into(),
            ));
        }
        Status::Failed => {
            return Err(StoreError::Refused(
                "this import failed and imported nothing; there is nothing to revert".into(),
            ));
        }
    }
    let at = now();
    let removed = match import.kind {
        Kind::Customers => customers::revert(c, org, id, at).await?,
        Kind::Leads => leads::revert(c, org, id, at).await?,
    };
    c.execute(&Raw(
        "UPDATE imports SET reverted_at = $1 WHERE id = $2 AND org_id = $3",
        vec![at.into(), id.0.into(), org.0.into()],
    ))
    .await?;
    let summary = format!("Reverted an import of {removed} {}", import.kind.as_str());
    audit(c, org, actor, id, "reverted", summary).await?;
    get(c, org, id).await
}
