//! Notes on customers. Every change is audited field by field (the note's
//! edit history) and shown on the customer's timeline as kind `note`.

use crate::history::{self, Change};
use crate::orgs::now;
use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row, StoreError, customers};
use chrono::{DateTime, Utc};
use hearth_domain::history::{Actor, ActorKind, FieldChange, all_fields, diff};
use hearth_domain::notes::{Note, NoteFields, NoteInput, NotePatch, summary};
use hearth_domain::{CustomerId, NoteId, OrgId};
use sea_query::{Expr, ExprTrait, Order, Query};
use uuid::Uuid;

#[derive(sea_query::Iden)]
enum Notes {
    Table,
    Id,
    OrgId,
    CustomerId,
    Body,
    Pinned,
    AuthorKind,
    AuthorId,
    AuthorName,
    Version,
    CreatedAt,
    UpdatedAt,
    EditedAt,
    DeletedAt,
}

const COLUMNS: [Notes; 11] = [
    Notes::Id,
    Notes::CustomerId,
    Notes::Body,
    Notes::Pinned,
    Notes::AuthorKind,
    Notes::AuthorId,
    Notes::AuthorName,
    Notes::Version,
    Notes::CreatedAt,
    Notes::UpdatedAt,
    Notes::EditedAt,
];

fn note(r: &Row) -> Result<Note> {
    Ok(Note {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        body: r.get(2)?,
        pinned: r.get(3)?,
        author: Actor {
            kind: ActorKind::parse(&r.get::<String>(4)?),
            id: r.get(5)?,
            name: r.get(6)?,
        },
        version: r.get(7)?,
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
        edited_at: r.get(10)?,
    })
}

fn fields(n: &Note) -> NoteFields {
    NoteFields {
        body: n.body.clone(),
        pinned: n.pinned,
    }
}

fn audited(f: &NoteFields) -> serde_json::Value {
    serde_json::to_value(f).unwrap_or_default()
}

async fn record(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    note: &Note,
    action: &'static str,
    summary: String,
    fields: &[FieldChange],
) -> Result<()> {
    let change = Change {
        lead_id: None,
        entity: "note",
        entity_id: note.id.0,
        customer_id: Some(note.customer_id),
        action,
        kind: "note",
        summary,
        fields,
    };
    history::record(c, org, actor, change).await
}

/// Writes a note on a live customer of this organisation, attributed to
/// `actor`.
pub async fn create(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    customer: CustomerId,
    input: &NoteInput,
) -> Result<Note> {
    customers::get(c, org, customer, false).await?;
    let fields = input.validate()?;
    let now = now();
    let id = NoteId::new();
    c.execute(&Raw(
        "INSERT INTO notes (id, org_id, customer_id, body, pinned, author_kind, author_id, author_name, \
         version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)",
        vec![
            id.0.into(),
            org.0.into(),
            customer.0.into(),
            fields.body.clone().into(),
            fields.pinned.into(),
            actor.kind.as_str().into(),
            actor.id.into(),
            actor.name.clone().into(),
            now.into(),
        ],
    ))
    .await?;
    let note = get(c, org, id).await?;
    let changes = all_fields(&audited(&fields), true);
    record(
        c,
        org,
        actor,
        &note,
        "created",
        summary(&note.body),
        &changes,
    )
    .await?;
    Ok(note)
}

/// A live (not deleted) note of this organisation.
pub async fn get(c: &mut Conn, org: OrgId, id: NoteId) -> Result<Note> {
    const SQL: &str = "SELECT id, customer_id, body, pinned, author_kind, author_id, author_name, \
         version, created_at, updated_at, edited_at FROM notes \
         WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL";
    c.query_one(&Raw(SQL, vec![id.0.into(), org.0.into()]), note)
        .await
}

/// Whether a note, deleted or not, belongs to this organisation: its edit
/// history outlives it.
pub async fn exists(c: &mut Conn, org: OrgId, id: NoteId) -> Result<()> {
    c.query_one(
        &Raw(
            "SELECT id FROM notes WHERE id = $1 AND org_id = $2",
            vec![id.0.into(), org.0.into()],
        ),
        |r| r.get::<Uuid>(0),
    )
    .await
    .map(|_| ())
}

/// Where a page of notes ended: pinned, created, id of its last note.
pub type Cursor = (bool, DateTime<Utc>, Uuid);

/// A customer's live notes: pinned first, then newest first.
pub async fn list(
    c: &mut Conn,
    org: OrgId,
    customer: CustomerId,
    cursor: Option<Cursor>,
    limit: u64,
) -> Result<Page<Note>> {
    let mut q = Query::select();
    q.columns(COLUMNS)
        .from(Notes::Table)
        .and_where(Expr::col(Notes::OrgId).eq(org.0))
        .and_where(Expr::col(Notes::CustomerId).eq(customer.0))
        .and_where(Expr::col(Notes::DeletedAt).is_null())
        .order_by(Notes::Pinned, Order::Desc)
        .order_by(Notes::CreatedAt, Order::Desc)
        .order_by(Notes::Id, Order::Desc)
        .limit(limit + 1);
    if let Some((pinned, at, id)) = cursor {
        q.and_where(
            Expr::tuple([
                Expr::col(Notes::Pinned),
                Expr::col(Notes::CreatedAt),
                Expr::col(Notes::Id),
            ])
            .lt(Expr::tuple([
                Expr::val(pinned),
                Expr::val(at),
                Expr::val(id),
            ])),
        );
    }
    let rows = c.query(&q, note).await?;
    Ok(page::finish(rows, limit, |n| {
        (n.pinned, n.created_at, n.id.0)
    }))
}

/// How many live notes of a customer are pinned.
pub async fn pinned_count(c: &mut Conn, org: OrgId, customer: CustomerId) -> Result<i64> {
    c.query_one(
        &Raw(
            "SELECT COUNT(*) FROM notes WHERE org_id = $1 AND customer_id = $2 AND pinned = $3 \
             AND deleted_at IS NULL",
            vec![org.0.into(), customer.0.into(), true.into()],
        ),
        |r| r.get::<i64>(0),
    )
    .await
}

/// Changes the text, the pin, or both, if `patch.version` is still current.
pub async fn update(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: NoteId,
    patch: &NotePatch,
) -> Result<Note> {
    let current = get(c, org, id).await?;
    if current.version != patch.version {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let before = fields(&current);
    let after = before.patched(patch)?;
    let changes = diff(&audited(&before), &audited(&after));
    if changes.is_empty() {
        return Ok(current);
    }
    let now = now();
    let edited_at = if after.body != before.body {
        Some(now)
    } else {
        current.edited_at
    };
    let n = c
        .execute(&Raw(
            "UPDATE notes SET body = $1, pinned = $2, edited_at = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND org_id = $6 AND version = $7 AND deleted_at IS NULL",
            vec![
                after.body.clone().into(),
                after.pinned.into(),
                edited_at.into(),
                now.into(),
                id.0.into(),
                org.0.into(),
                patch.version.into(),
            ],
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let note = get(c, org, id).await?;
    let (action, prefix) = if after.body != before.body {
        ("updated", "Edited note")
    } else if after.pinned {
        ("pinned", "Pinned note")
    } else {
        ("unpinned", "Unpinned note")
    };
    let text = format!("{prefix}: {}", summary(&note.body));
    record(c, org, actor, &note, action, text, &changes).await?;
    Ok(note)
}

/// Soft-deletes a note: it leaves the card and the lists, but its history
/// stays readable.
pub async fn delete(c: &mut Conn, org: OrgId, actor: &Actor, id: NoteId) -> Result<()> {
    let current = get(c, org, id).await?;
    let now = now();
    c.execute(&Raw(
        "UPDATE notes SET deleted_at = $1, version = version + 1, updated_at = $1 \
         WHERE id = $2 AND org_id = $3 AND deleted_at IS NULL",
        vec![now.into(), id.0.into(), org.0.into()],
    ))
    .await?;
    let text = format!("Deleted note: {}", summary(&current.body));
    record(c, org, actor, &current, "deleted", text, &[]).await
}
