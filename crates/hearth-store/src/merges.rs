//! Merging one customer into another, and undoing it.
//!
//! A merge moves every child row of the merged-away customer to the kept
//! one, records each moved row's id in `merge_moves`, sets the kept
//! record's chosen fields and soft-deletes the other with `merged_into`,
//! all in one transaction. Undo moves exactly the recorded rows back.
//! The audit log is not moved: it is append-only, and the merged-away
//! customer's entries stay readable under its own id.

use crate::customers::{self, audited};
use crate::orgs::now;
use crate::search::{self, Dynamic, placeholders};
use crate::{Conn, Raw, Result, StoreError};
use chrono::{DateTime, Utc};
use hearth_domain::customers::{Customer, CustomerFields};
use hearth_domain::history::{Actor, ActorKind, diff};
use hearth_domain::merge::{self as rules, Side};
use hearth_domain::{CustomerId, Invalid, MergeId, OrgId};
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Tables whose rows belong to a customer through `customer_id` and have
/// their own `id`: a merge moves all of them. (Checked against every table
/// with a `customer_id` column by the merge test, which counts rows.)
const MOVED: [&str; 18] = [
    "customer_contacts",
    "addresses",
    "equipment",
    "notes",
    "jobs",
    "job_notes",
    "job_photos",
    "quotes",
    "invoices",
    "payments",
    "memberships",
    "loyalty_ledger",
    "tickets",
    "communications",
    "engagements",
    "tasks",
    "leads",
    "events",
];
/// `merge_moves.table_name` of addresses that stopped being primary
/// because the kept customer already had a primary address.
const DEMOTED: &str = "addresses.primary";
const TAGS: &str = "customer_tags";
const CALL_STATUS: &str = "call_statuses";

/// A merge as recorded, for inspection and undo.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Merge {
    pub id: MergeId,
    /// The record that remains.
    pub kept_id: CustomerId,
    /// The record merged away (its id redirects to `kept_id`).
    pub merged_id: CustomerId,
    /// The choices sent: field → `this` (kept) or `other` (merged away).
    pub choices: BTreeMap<String, Side>,
    /// The kept record's fields before and after the merge.
    pub kept_before: CustomerFields,
    pub kept_after: CustomerFields,
    /// Rows moved to the kept record, per table.
    pub moved: BTreeMap<String, u64>,
    pub actor: Actor,
    pub created_at: DateTime<Utc>,
    pub undone_at: Option<DateTime<Utc>>,
    pub undone_by: Option<String>,
}

/// What a merge would do, without doing it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Preview {
    pub kept: Customer,
    pub merged: Customer,
    /// The kept record's fields after the merge.
    pub result: CustomerFields,
    /// Rows that would move to the kept record, per table.
    pub moves: BTreeMap<String, u64>,
}

/// Both records, checked: same organisation, both live, not the same.
async fn pair(
    c: &mut Conn,
    org: OrgId,
    kept: CustomerId,
    other: CustomerId,
) -> Result<(Customer, Customer)> {
    if kept == other {
        return Err(Invalid::field("other_id", "is this customer; pick another one").into());
    }
    let kept = customers::get(c, org, kept, false).await?;
    // Another organisation's customer is simply not there.
    let other = match customers::get(c, org, other, false).await {
        Err(StoreError::NotFound) => {
            return Err(
                Invalid::field("other_id", "is not a customer of this organisation").into(),
            );
        }
        r => r?,
    };
    Ok((kept, other))
}

/// The counts a merge of `other` into `kept` would move.
pub async fn preview(
    c: &mut Conn,
    org: OrgId,
    kept: CustomerId,
    other: CustomerId,
    keep: &BTreeMap<String, Side>,
) -> Result<Preview> {
    let (kept, merged) = pair(c, org, kept, other).await?;
    let result = rules::merged_fields(&kept.fields, &merged.fields, keep)?;
    let mut moves = BTreeMap::new();
    for table in MOVED {
        let n = owned_ids(c, org, table, merged.id).await?.len() as u64;
        moves.insert(table.to_string(), n);
    }
    moves.insert(
        TAGS.to_string(),
        tags_to_move(c, org, kept.id, merged.id).await?.len() as u64,
    );
    moves.insert(
        CALL_STATUS.to_string(),
        u64::from(call_status_moves(c, org, kept.id, merged.id).await?),
    );
    Ok(Preview {
        kept,
        merged,
        result,
        moves,
    })
}

async fn owned_ids(c: &mut Conn, org: OrgId, table: &str, owner: CustomerId) -> Result<Vec<Uuid>> {
    c.query(
        &Dynamic(
            format!("SELECT id FROM {table} WHERE org_id = $1 AND customer_id = $2"),
            vec![org.0.into(), owner.0.into()],
        ),
        |r| r.get::<Uuid>(0),
    )
    .await
}

/// The merged-away customer's tags the kept one does not carry yet (the
/// ones it does carry stay on the merged-away record, unchanged).
async fn tags_to_move(
    c: &mut Conn,
    org: OrgId,
    kept: CustomerId,
    merged: CustomerId,
) -> Result<Vec<Uuid>> {
    c.query(
        &Raw(
            "SELECT tag_id FROM customer_tags t WHERE t.org_id = $1 AND t.customer_id = $2 \
             AND NOT EXISTS (SELECT 1 FROM customer_tags k WHERE k.org_id = $1 AND k.customer_id = $3 AND k.tag_id = t.tag_id)",
            vec![org.0.into(), merged.0.into(), kept.0.into()],
        ),
        |r| r.get::<Uuid>(0),
    )
    .await
}

/// Whether the merged-away customer's call status moves: only when the
/// kept customer has none (one status per customer).
async fn call_status_moves(
    c: &mut Conn,
    org: OrgId,
    kept: CustomerId,
    merged: CustomerId,
) -> Result<bool> {
    let n = c
        .query_one(
            &Raw(
                "SELECT COUNT(*) FROM call_statuses WHERE org_id = $1 AND customer_id = $2 \
                 AND NOT EXISTS (SELECT 1 FROM call_statuses k WHERE k.org_id = $1 AND k.customer_id = $3)",
                vec![org.0.into(), merged.0.into(), kept.0.into()],
            ),
            |r| r.get::<i64>(0),
        )
        .await?;
    Ok(n > 0)
}

async fn record_moves(c: &mut Conn, merge: MergeId, table: &str, ids: &[Uuid]) -> Result<()> {
    for part in ids.chunks(300) {
        let rows: Vec<String> = (0..part.len())
            .map(|i| format!("($1, $2, ${})", i + 3))
            .collect();
        let mut values: Vec<sea_query::Value> = vec![merge.0.into(), table.into()];
        values.extend(part.iter().map(|id| sea_query::Value::from(*id)));
        c.execute(&Dynamic(
            format!(
                "INSERT INTO merge_moves (merge_id, table_name, row_id) VALUES {}",
                rows.join(", ")
            ),
            values,
        ))
        .await?;
    }
    Ok(())
}

/// Re-points the rows `ids` of `table` (keyed by `key`) from one customer
/// to another; returns how many moved.
async fn repoint(
    c: &mut Conn,
    org: OrgId,
    table: &str,
    key: &str,
    ids: &[Uuid],
    from: CustomerId,
    to: CustomerId,
) -> Result<u64> {
    let mut moved = 0;
    for part in ids.chunks(300) {
        let mut values: Vec<sea_query::Value> = vec![to.0.into(), org.0.into(), from.0.into()];
        values.extend(part.iter().map(|id| sea_query::Value::from(*id)));
        moved += c
            .execute(&Dynamic(
                format!(
                    "UPDATE {table} SET customer_id = $1 WHERE org_id = $2 AND customer_id = $3 AND {key} IN ({})",
                    placeholders(4, part.len())
                ),
                values,
            ))
            .await?;
    }
    Ok(moved)
}

/// Merges `other` into `kept`, taking each field from the side `keep`
/// names (see hearth_domain::merge::merged_fields). One transaction.
pub async fn merge(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    kept: CustomerId,
    other: CustomerId,
    keep: &BTreeMap<String, Side>,
) -> Result<Merge> {
    let (kept, merged) = pair(c, org, kept, other).await?;
    let after = rules::merged_fields(&kept.fields, &merged.fields, keep)?;
    let id = MergeId::new();
    let at = now();
    c.execute(&Raw(
        "INSERT INTO merges (id, org_id, kept_id, merged_id, choices, kept_before, kept_after, \
         actor_kind, actor_id, actor_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        vec![
            id.0.into(),
            org.0.into(),
            kept.id.0.into(),
            merged.id.0.into(),
            json(keep).into(),
            json(&kept.fields).into(),
            json(&after).into(),
            actor.kind.as_str().into(),
            actor.id.into(),
            actor.name.clone().into(),
            at.into(),
        ],
    ))
    .await?;

    // One primary address per customer: the kept record's stays primary.
    let kept_has_primary = c
        .query_opt(
            &Raw(
                "SELECT id FROM addresses WHERE org_id = $1 AND customer_id = $2 AND is_primary = $3 AND deleted_at IS NULL",
                vec![org.0.into(), kept.id.0.into(), true.into()],
            ),
            |r| r.get::<Uuid>(0),
        )
        .await?
        .is_some();
    if kept_has_primary {
        let demoted = c
            .query(
                &Raw(
                    "SELECT id FROM addresses WHERE org_id = $1 AND customer_id = $2 AND is_primary = $3 AND deleted_at IS NULL",
                    vec![org.0.into(), merged.id.0.into(), true.into()],
                ),
                |r| r.get::<Uuid>(0),
            )
            .await?;
        set_primary(c, org, &demoted, false).await?;
        record_moves(c, id, DEMOTED, &demoted).await?;
    }
    for table in MOVED {
        let ids = owned_ids(c, org, table, merged.id).await?;
        repoint(c, org, table, "id", &ids, merged.id, kept.id).await?;
        record_moves(c, id, table, &ids).await?;
    }
    let tags = tags_to_move(c, org, kept.id, merged.id).await?;
    repoint(c, org, TAGS, "tag_id", &tags, merged.id, kept.id).await?;
    record_moves(c, id, TAGS, &tags).await?;
    if call_status_moves(c, org, kept.id, merged.id).await? {
        repoint(
            c,
            org,
            CALL_STATUS,
            "customer_id",
            &[merged.id.0],
            merged.id,
            kept.id,
        )
        .await?;
        record_moves(c, id, CALL_STATUS, &[merged.id.0]).await?;
    }

    c.execute(&Raw(
        "UPDATE customers SET merged_into = $1, deleted_at = $2, version = version + 1, updated_at = $2 \
         WHERE id = $3 AND org_id = $4",
        vec![kept.id.0.into(), at.into(), merged.id.0.into(), org.0.into()],
    ))
    .await?;
    customers::write_fields(c, org, kept.id, &after, None).await?;
    // The merged-away record leaves search; its phone and email now find
    // the kept record (search::reindex_customer reads merged records).
    search::reindex_customers(c, org, &[merged.id, kept.id]).await?;

    let changes = diff(&audited(&kept.fields), &audited(&after));
    customers::record(
        c,
        org,
        actor,
        kept.id,
        "merged",
        format!("Merged {} into this customer", merged.display_name),
        &changes,
    )
    .await?;
    customers::record(
        c,
        org,
        actor,
        merged.id,
        "merged_away",
        format!("Merged into {}", kept.display_name),
        &[],
    )
    .await?;
    get(c, org, id).await
}

async fn set_primary(c: &mut Conn, org: OrgId, ids: &[Uuid], primary: bool) -> Result<()> {
    for part in ids.chunks(300) {
        let mut values: Vec<sea_query::Value> = vec![primary.into(), org.0.into()];
        values.extend(part.iter().map(|id| sea_query::Value::from(*id)));
        c.execute(&Dynamic(
            format!(
                "UPDATE addresses SET is_primary = $1 WHERE org_id = $2 AND id IN ({})",
                placeholders(3, part.len())
            ),
            values,
        ))
        .await?;
    }
    Ok(())
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn parse<T: serde::de::DeserializeOwned>(idx: usize, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Decode {
        idx,
        message: e.to_string(),
    })
}

/// The merges query with its condition appended.
macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT id, kept_id, merged_id, choices, kept_before, kept_after, actor_kind, actor_id, \
             actor_name, created_at, undone_at, undone_by FROM merges ",
            $tail
        )
    };
}

fn row(r: &crate::Row) -> Result<Merge> {
    Ok(Merge {
        id: r.get(0)?,
        kept_id: r.get(1)?,
        merged_id: r.get(2)?,
        choices: parse(3, &r.get::<String>(3)?)?,
        kept_before: parse(4, &r.get::<String>(4)?)?,
        kept_after: parse(5, &r.get::<String>(5)?)?,
        moved: BTreeMap::new(),
        actor: Actor {
            kind: ActorKind::parse(&r.get::<String>(6)?),
            id: r.get(7)?,
            name: r.get(8)?,
        },
        created_at: r.get(9)?,
        undone_at: r.get(10)?,
        undone_by: r.get(11)?,
    })
}

/// One merge of this organisation, with its moved-row counts.
pub async fn get(c: &mut Conn, org: OrgId, id: MergeId) -> Result<Merge> {
    let sql = select!("WHERE id = $1 AND org_id = $2");
    let mut merge = c
        .query_one(&Raw(sql, vec![id.0.into(), org.0.into()]), row)
        .await?;
    let counts = c
        .query(
            &Raw(
                "SELECT table_name, COUNT(*) FROM merge_moves WHERE merge_id = $1 GROUP BY table_name",
                vec![id.0.into()],
            ),
            |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)? as u64)),
        )
        .await?;
    merge.moved = counts.into_iter().filter(|(t, _)| t != DEMOTED).collect();
    Ok(merge)
}

/// The merges a customer took part in (kept or merged away), newest first.
pub async fn of_customer(c: &mut Conn, org: OrgId, customer: CustomerId) -> Result<Vec<Merge>> {
    let sql = select!(
        "WHERE org_id = $1 AND (kept_id = $2 OR merged_id = $2) ORDER BY id DESC LIMIT 100"
    );
    let merges = c
        .query(&Raw(sql, vec![org.0.into(), customer.0.into()]), row)
        .await?;
    let mut out = Vec::with_capacity(merges.len());
    for m in merges {
        out.push(get(c, org, m.id).await?);
    }
    Ok(out)
}

/// Undoes a merge: the merged-away customer comes back with every row the
/// merge moved, and the kept record's merged fields go back to what they
/// were (fields edited since keep the edit). Refused (409) when the kept
/// customer has since been deleted or merged away, or when a moved row
/// has since been removed or moved elsewhere: undo then could not restore
/// everything, so it changes nothing.
pub async fn undo(c: &mut Conn, org: OrgId, actor: &Actor, id: MergeId) -> Result<Merge> {
    let merge = get(c, org, id).await?;
    if merge.undone_at.is_some() {
        return Err(StoreError::Refused(
            "this merge has already been undone".into(),
        ));
    }
    let kept = customers::get(c, org, merge.kept_id, true).await?;
    let still_merged = c
        .query_one(
            &Raw(
                "SELECT merged_into FROM customers WHERE id = $1 AND org_id = $2",
                vec![merge.merged_id.0.into(), org.0.into()],
            ),
            |r| r.get::<Option<CustomerId>>(0),
        )
        .await?;
    if still_merged != Some(merge.kept_id) {
        return Err(StoreError::Refused(
            "the merged-away customer is no longer merged into the kept one".into(),
        ));
    }
    if kept.deleted_at.is_some() {
        return Err(StoreError::Refused(
            "the kept customer has since been deleted or merged into another; restore it or undo that merge first".into(),
        ));
    }
    let moves = c
        .query(
            &Raw(
                "SELECT table_name, row_id FROM merge_moves WHERE merge_id = $1",
                vec![id.0.into()],
            ),
            |r| Ok((r.get::<String>(0)?, r.get::<Uuid>(1)?)),
        )
        .await?;
    let mut by_table: BTreeMap<String, Vec<Uuid>> = BTreeMap::new();
    for (table, row) in moves {
        by_table.entry(table).or_default().push(row);
    }
    for (table, ids) in &by_table {
        let key = match table.as_str() {
            DEMOTED => continue,
            TAGS => "tag_id",
            CALL_STATUS => "customer_id",
            t if MOVED.contains(&t) => "id",
            other => {
                return Err(StoreError::Db(format!(
                    "merge {id} recorded a move in unknown table {other}"
                )));
            }
        };
        // A call status is keyed by the customer: it moved back under the
        // kept customer's id.
        let ids: Vec<Uuid> = if table == CALL_STATUS {
            vec![merge.kept_id.0]
        } else {
            ids.clone()
        };
        let n = repoint(c, org, table, key, &ids, merge.kept_id, merge.merged_id).await?;
        if n != ids.len() as u64 {
            return Err(StoreError::Refused(format!(
                "{} of the {} {} rows this merge moved have since been removed or moved; undo cannot restore them",
                ids.len() as u64 - n,
                ids.len(),
                table.replace('_', " ")
            )));
        }
    }
    if let Some(demoted) = by_table.get(DEMOTED) {
        set_primary(c, org, demoted, true).await?;
    }
    let at = now();
    c.execute(&Raw(
        "UPDATE customers SET merged_into = NULL, deleted_at = NULL, version = version + 1, updated_at = $1 \
         WHERE id = $2 AND org_id = $3",
        vec![at.into(), merge.merged_id.0.into(), org.0.into()],
    ))
    .await?;
    let restored = rules::undone_fields(&merge.kept_before, &merge.kept_after, &kept.fields);
    customers::write_fields(c, org, kept.id, &restored, None).await?;
    search::reindex_customers(c, org, &[merge.merged_id, kept.id]).await?;
    c.execute(&Raw(
        "UPDATE merges SET undone_at = $1, undone_by = $2 WHERE id = $3 AND org_id = $4",
        vec![
            at.into(),
            actor.name.clone().into(),
            id.0.into(),
            org.0.into(),
        ],
    ))
    .await?;
    let merged = customers::get(c, org, merge.merged_id, false).await?;
    let changes = diff(&audited(&kept.fields), &audited(&restored));
    customers::record(
        c,
        org,
        actor,
        kept.id,
        "unmerged",
        format!(
            "Undid the merge of {} into this customer",
            merged.display_name
        ),
        &changes,
    )
    .await?;
    customers::record(
        c,
        org,
        actor,
        merged.id,
        "unmerged",
        format!("Restored from the merge into {}", kept.display_name),
        &[],
    )
    .await?;
    get(c, org, id).await
}
