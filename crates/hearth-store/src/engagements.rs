//! Customer engagements. An engagement with a follow-up owns one task; the
//! two are kept in step inside the same transaction.

use crate::history::{self, Change};
use crate::orgs::now;
use crate::page::{self, Page};
use crate::parent::{self, audited};
use crate::{Conn, Raw, Result, Row, StoreError, tasks};
use chrono::NaiveDate;
use hearth_domain::engagements::{
    DEFAULT_TYPES, Engagement, EngagementFields, EngagementInput, EngagementPatch, clean_types,
};
use hearth_domain::history::{Actor, FieldChange, all_fields, diff};
use hearth_domain::{CustomerId, EngagementId, Invalid, OrgId, UserId};
use uuid::Uuid;

macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT e.id, e.customer_id, e.subject, e.date, e.contact_id, e.duration_minutes, e.contacted_by, \
             e.contact_type, e.follow_up, e.follow_up_assignee, e.follow_up_date, e.follow_up_completed, \
             e.notes, t.id, e.version, e.created_at, e.updated_at FROM engagements e \
             LEFT JOIN tasks t ON t.org_id = e.org_id AND t.engagement_id = e.id AND t.deleted_at IS NULL ",
            $rest
        )
    };
}

fn engagement(r: &Row) -> Result<Engagement> {
    Ok(Engagement {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        fields: EngagementFields {
            subject: r.get(2)?,
            date: r.get(3)?,
            contact_id: r.get(4)?,
            duration_minutes: r.get(5)?,
            contacted_by: r.get(6)?,
            contact_type: r.get(7)?,
            follow_up: r.get(8)?,
            follow_up_assignee: r.get(9)?,
            follow_up_date: r.get(10)?,
            follow_up_completed: r.get(11)?,
            notes: r.get(12)?,
        },
        task_id: r.get(13)?,
        version: r.get(14)?,
        created_at: r.get(15)?,
        updated_at: r.get(16)?,
    })
}

/// The organisation's contact types, in their order; the defaults until it
/// edits them.
pub async fn types(c: &mut Conn, org: OrgId) -> Result<Vec<String>> {
    let stored = c
        .query(
            &Raw(
                "SELECT name FROM engagement_types WHERE org_id = $1 ORDER BY position",
                vec![org.0.into()],
            ),
            |r| r.get::<String>(0),
        )
        .await?;
    if stored.is_empty() {
        Ok(DEFAULT_TYPES.iter().map(|t| t.to_string()).collect())
    } else {
        Ok(stored)
    }
}

/// Replaces the organisation's contact types. Engagements keep the type
/// they were saved with.
pub async fn set_types(c: &mut Conn, org: OrgId, raw: &[String]) -> Result<Vec<String>> {
    let list = clean_types(raw)?;
    c.execute(&Raw(
        "DELETE FROM engagement_types WHERE org_id = $1",
        vec![org.0.into()],
    ))
    .await?;
    for (i, name) in list.iter().enumerate() {
        c.execute(&Raw(
            "INSERT INTO engagement_types (org_id, position, name) VALUES ($1, $2, $3)",
            vec![org.0.into(), (i as i64).into(), name.clone().into()],
        ))
        .await?;
    }
    Ok(list)
}

async fn is_user(c: &mut Conn, org: OrgId, user: UserId) -> Result<bool> {
    Ok(c.query_opt(
        &Raw(
            "SELECT id FROM users WHERE id = $1 AND org_id = $2 AND disabled_at IS NULL",
            vec![user.0.into(), org.0.into()],
        ),
        |r| r.get::<UserId>(0),
    )
    .await?
    .is_some())
}

/// Checks what validation alone cannot: the people are this organisation's
/// users, the contact is this customer's, the type is on the list.
async fn check_references(
    c: &mut Conn,
    org: OrgId,
    customer: CustomerId,
    f: &EngagementFields,
    previous_type: Option<&str>,
) -> Result<()> {
    let mut errors = Invalid::default();
    if !is_user(c, org, f.contacted_by).await? {
        errors.push("contacted_by", "is not a user of this organisation");
    }
    if let Some(a) = f.follow_up_assignee
        && !is_user(c, org, a).await?
    {
        errors.push("follow_up_assignee", "is not a user of this organisation");
    }
    if let Some(contact) = f.contact_id {
        let owner = c
            .query_opt(
                &Raw(
                    "SELECT customer_id FROM customer_contacts WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL",
                    vec![contact.0.into(), org.0.into()],
                ),
                |r| r.get::<CustomerId>(0),
            )
            .await?;
        if owner != Some(customer) {
            errors.push("contact_id", "is not a contact of this customer");
        }
    }
    if let Some(t) = &f.contact_type
        && previous_type != Some(t.as_str())
        && !types(c, org).await?.iter().any(|k| k == t)
    {
        errors.push(
            "contact_type",
            "is not one of the organisation's engagement types",
        );
    }
    errors.or_ok(()).map_err(StoreError::from)
}

async fn record(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    e: (EngagementId, CustomerId),
    action: &'static str,
    summary: String,
    fields: &[FieldChange],
) -> Result<()> {
    let change = Change {
        entity: "engagement",
        entity_id: e.0.0,
        customer_id: Some(e.1),
        lead_id: None,
        action,
        kind: "communication",
        summary,
        fields,
    };
    history::record(c, org, actor, change).await
}

/// Logs an engagement on a live customer of this organisation, with its
/// follow-up task when it has one.
pub async fn create(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    customer: CustomerId,
    input: &EngagementInput,
) -> Result<Engagement> {
    parent::lock_live(c, org, customer).await?;
    let f = input.validate()?;
    check_references(c, org, customer, &f, None).await?;
    let id = EngagementId::new();
    let now = now();
    c.execute(&Raw(
        "INSERT INTO engagements (id, org_id, customer_id, subject, date, contact_id, duration_minutes, \
         contacted_by, contact_type, follow_up, follow_up_assignee, follow_up_date, follow_up_completed, \
         notes, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $15)",
        vec![
            id.0.into(),
            org.0.into(),
            customer.0.into(),
            f.subject.clone().into(),
            f.date.into(),
            f.contact_id.map(|x| x.0).into(),
            f.duration_minutes.into(),
            f.contacted_by.0.into(),
            f.contact_type.clone().into(),
            f.follow_up.into(),
            f.follow_up_assignee.map(|x| x.0).into(),
            f.follow_up_date.into(),
            f.follow_up_completed.into(),
            f.notes.clone().into(),
            now.into(),
        ],
    ))
    .await?;
    let changes = all_fields(&audited(&f, &[]), true);
    let summary = format!("Engagement: {}", f.subject);
    record(c, org, actor, (id, customer), "created", summary, &changes).await?;
    let e = get(c, org, id).await?;
    tasks::sync_follow_up(c, org, actor, &e).await?;
    get(c, org, id).await
}

/// A live engagement of this organisation whose customer is live.
pub async fn get(c: &mut Conn, org: OrgId, id: EngagementId) -> Result<Engagement> {
    let sql = select!(
        "JOIN customers cu ON cu.id = e.customer_id AND cu.org_id = e.org_id AND cu.deleted_at IS NULL \
         WHERE e.id = $1 AND e.org_id = $2 AND e.deleted_at IS NULL"
    );
    c.query_one(&Raw(sql, vec![id.0.into(), org.0.into()]), engagement)
        .await
}

/// Whether an engagement, deleted or not, belongs to this organisation.
pub async fn exists(c: &mut Conn, org: OrgId, id: EngagementId) -> Result<()> {
    c.query_one(
        &Raw(
            "SELECT id FROM engagements WHERE id = $1 AND org_id = $2",
            vec![id.0.into(), org.0.into()],
        ),
        |r| r.get::<Uuid>(0),
    )
    .await
    .map(drop)
}

pub type Cursor = (NaiveDate, Uuid);

/// A customer's engagements, newest date first
/// (`engagements_customer (org_id=? AND customer_id=?)`).
pub async fn list(
    c: &mut Conn,
    org: OrgId,
    customer: CustomerId,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<Engagement>> {
    crate::customers::get(c, org, customer, false).await?;
    let cursor = parent::cursor::<Cursor>(cursor)?;
    let rows = match cursor {
        None => {
            let sql = select!(
                "WHERE e.org_id = $1 AND e.customer_id = $2 AND e.deleted_at IS NULL \
                 ORDER BY e.date DESC, e.id DESC LIMIT $3"
            );
            let args = vec![org.0.into(), customer.0.into(), (limit as i64 + 1).into()];
            c.query(&Raw(sql, args), engagement).await?
        }
        Some((date, id)) => {
            let sql = select!(
                "WHERE e.org_id = $1 AND e.customer_id = $2 AND e.deleted_at IS NULL \
                 AND (e.date < $3 OR (e.date = $3 AND e.id < $4)) \
                 ORDER BY e.date DESC, e.id DESC LIMIT $5"
            );
            let args = vec![
                org.0.into(),
                customer.0.into(),
                date.into(),
                id.into(),
                (limit as i64 + 1).into(),
            ];
            c.query(&Raw(sql, args), engagement).await?
        }
    };
    Ok(page::finish(rows, limit, |e| (e.fields.date, e.id.0)))
}

async fn write_fields(
    c: &mut Conn,
    org: OrgId,
    id: EngagementId,
    version: i64,
    f: &EngagementFields,
) -> Result<u64> {
    c.execute(&Raw(
        "UPDATE engagements SET subject = $1, date = $2, contact_id = $3, duration_minutes = $4, \
         contacted_by = $5, contact_type = $6, follow_up = $7, follow_up_assignee = $8, \
         follow_up_date = $9, follow_up_completed = $10, notes = $11, version = version + 1, \
         updated_at = $12 WHERE id = $13 AND org_id = $14 AND version = $15 AND deleted_at IS NULL",
        vec![
            f.subject.clone().into(),
            f.date.into(),
            f.contact_id.map(|x| x.0).into(),
            f.duration_minutes.into(),
            f.contacted_by.0.into(),
            f.contact_type.clone().into(),
            f.follow_up.into(),
            f.follow_up_assignee.map(|x| x.0).into(),
            f.follow_up_date.into(),
            f.follow_up_completed.into(),
            f.notes.clone().into(),
            now().into(),
            id.0.into(),
            org.0.into(),
            version.into(),
        ],
    ))
    .await
}

/// Applies a partial update if `patch.version` is still current; the
/// follow-up task follows.
pub async fn update(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: EngagementId,
    patch: &EngagementPatch,
) -> Result<Engagement> {
    let current = get(c, org, id).await?;
    parent::lock_live(c, org, current.customer_id).await?;
    if current.version != patch.version {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let f = current.fields.patched(patch)?;
    check_references(
        c,
        org,
        current.customer_id,
        &f,
        current.fields.contact_type.as_deref(),
    )
    .await?;
    let changes = diff(&audited(&current.fields, &[]), &audited(&f, &[]));
    if changes.is_empty() {
        return Ok(current);
    }
    if write_fields(c, org, id, patch.version, &f).await? == 0 {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let summary = format!(
        "Engagement {}: changed {}",
        f.subject,
        parent::changed(&changes)
    );
    let key = (id, current.customer_id);
    record(c, org, actor, key, "updated", summary, &changes).await?;
    let e = get(c, org, id).await?;
    tasks::sync_follow_up(c, org, actor, &e).await?;
    get(c, org, id).await
}

/// Marks the follow-up done or not, from its task; the task is not touched.
pub(crate) async fn set_follow_up_completed(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: EngagementId,
    completed: bool,
) -> Result<()> {
    let Ok(current) = get(c, org, id).await else {
        return Ok(());
    };
    if current.fields.follow_up_completed == completed || !current.fields.follow_up {
        return Ok(());
    }
    let f = EngagementFields {
        follow_up_completed: completed,
        ..current.fields.clone()
    };
    write_fields(c, org, id, current.version, &f).await?;
    let changes = diff(&audited(&current.fields, &[]), &audited(&f, &[]));
    let verb = if completed { "completed" } else { "reopened" };
    let summary = format!("Engagement {}: follow-up {verb}", f.subject);
    let key = (id, current.customer_id);
    record(c, org, actor, key, "updated", summary, &changes).await
}

/// Removes an engagement (soft) and its open follow-up task.
pub async fn delete(c: &mut Conn, org: OrgId, actor: &Actor, id: EngagementId) -> Result<()> {
    let current = get(c, org, id).await?;
    parent::lock_live(c, org, current.customer_id).await?;
    let now = now();
    c.execute(&Raw(
        "UPDATE engagements SET deleted_at = $1, version = version + 1, updated_at = $1 \
         WHERE id = $2 AND org_id = $3 AND deleted_at IS NULL",
        vec![now.into(), id.0.into(), org.0.into()],
    ))
    .await?;
    tasks::drop_follow_up(c, org, actor, id).await?;
    let changes = all_fields(&audited(&current.fields, &[]), false);
    let summary = format!("Engagement removed: {}", current.fields.subject);
    let key = (id, current.customer_id);
    record(c, org, actor, key, "deleted", summary, &changes).await
}

/// Field history of an engagement, removed or not, newest first.
pub async fn changes(
    c: &mut Conn,
    org: OrgId,
    id: EngagementId,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<history::AuditEntry>> {
    let cursor = parent::cursor::<Uuid>(cursor)?;
    exists(c, org, id).await?;
    history::changes(c, org, id.0, cursor, limit).await
}
