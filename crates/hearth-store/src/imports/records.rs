//! Imports as records: reading them, listing them, and reverting one.

use super::{Import, customers, leads};
use crate::history::{self, Change};
use crate::orgs::now;
use crate::search::Dynamic;
use crate::{Conn, Raw, Result, StoreError};
use hearth_domain::history::Actor;
use hearth_domain::import::Kind;
use hearth_domain::{ImportId, OrgId};

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

const COLUMNS: &str = "id, kind, rows_imported, rows_skipped, actor_name, created_at, reverted_at";

fn import_row(r: &crate::Row) -> Result<Import> {
    Ok(Import {
        id: r.get(0)?,
        kind: Kind::parse(&r.get::<String>(1)?).unwrap_or_default(),
        rows_imported: r.get(2)?,
        rows_skipped: r.get(3)?,
        actor_name: r.get(4)?,
        created_at: r.get(5)?,
        reverted_at: r.get(6)?,
    })
}

pub async fn get(c: &mut Conn, org: OrgId, id: ImportId) -> Result<Import> {
    let sql = format!("SELECT {COLUMNS} FROM imports WHERE id = $1 AND org_id = $2");
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
        "SELECT {COLUMNS} FROM imports WHERE org_id = $1 {after_sql} ORDER BY id DESC LIMIT $2"
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
