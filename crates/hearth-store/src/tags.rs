//! The organisation's tags and the tags on each customer. Defining a tag is
//! audited; putting one on a customer or taking it off is audited and shown
//! on the customer's timeline as kind `tag`.

use crate::history::{self, Change};
use crate::orgs::now;
use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row, StoreError, customers};
use hearth_domain::history::{Actor, FieldChange, all_fields, diff};
use hearth_domain::tags::{Tag, TagFields, TagInput, TagPatch, name_key};
use hearth_domain::{CustomerId, Invalid, OrgId, TagId};
use uuid::Uuid;

fn tag(r: &Row) -> Result<Tag> {
    Ok(Tag {
        id: r.get(0)?,
        name: r.get(1)?,
        colour: r.get(2)?,
        version: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

fn fields(t: &Tag) -> TagFields {
    TagFields {
        name: t.name.clone(),
        colour: t.colour.clone(),
    }
}

fn audited(f: &TagFields) -> serde_json::Value {
    serde_json::to_value(f).unwrap_or_default()
}

/// A unique-index refusal on the name, said the way a form can show it.
fn name_taken(e: StoreError, name: &str) -> StoreError {
    match e {
        StoreError::Duplicate { .. } => Invalid::field(
            "name",
            format!("is taken: another tag is already called “{name}”"),
        )
        .into(),
        e => e,
    }
}

async fn audit_tag(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: TagId,
    action: &'static str,
    summary: String,
    fields: &[FieldChange],
) -> Result<()> {
    let change = Change {
        lead_id: None,
        entity: "tag",
        entity_id: id.0,
        customer_id: None,
        action,
        kind: "tag",
        summary,
        fields,
    };
    history::record(c, org, actor, change).await
}

pub async fn create(c: &mut Conn, org: OrgId, actor: &Actor, input: &TagInput) -> Result<Tag> {
    let fields = input.validate()?;
    let now = now();
    let id = TagId::new();
    c.execute(&Raw(
        "INSERT INTO tags (id, org_id, name, name_key, colour, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6)",
        vec![
            id.0.into(),
            org.0.into(),
            fields.name.clone().into(),
            fields.name_key().into(),
            fields.colour.clone().into(),
            now.into(),
        ],
    ))
    .await
    .map_err(|e| name_taken(e, &fields.name))?;
    let changes = all_fields(&audited(&fields), true);
    let summary = format!("Tag {} created", fields.name);
    audit_tag(c, org, actor, id, "created", summary, &changes).await?;
    get(c, org, id).await
}

pub async fn get(c: &mut Conn, org: OrgId, id: TagId) -> Result<Tag> {
    c.query_one(
        &Raw(
            "SELECT id, name, colour, version, created_at, updated_at FROM tags \
             WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL",
            vec![id.0.into(), org.0.into()],
        ),
        tag,
    )
    .await
}

/// The live tag with this name, ignoring case.
pub async fn by_name(c: &mut Conn, org: OrgId, name: &str) -> Result<Option<Tag>> {
    c.query_opt(
        &Raw(
            "SELECT id, name, colour, version, created_at, updated_at FROM tags \
             WHERE org_id = $1 AND name_key = $2 AND deleted_at IS NULL",
            vec![org.0.into(), name_key(name).into()],
        ),
        tag,
    )
    .await
}

/// Where a page of tags ended: the last tag's name key and id.
pub type Cursor = (String, Uuid);

/// The organisation's tags, alphabetically.
pub async fn list(
    c: &mut Conn,
    org: OrgId,
    cursor: Option<Cursor>,
    limit: u64,
) -> Result<Page<Tag>> {
    let mut params = vec![org.0.into(), (limit as i64 + 1).into()];
    let sql = match cursor {
        None => {
            "SELECT id, name, colour, version, created_at, updated_at, name_key FROM tags \
             WHERE org_id = $1 AND deleted_at IS NULL ORDER BY name_key, id LIMIT $2"
        }
        Some((key, id)) => {
            params.extend([key.into(), id.into()]);
            "SELECT id, name, colour, version, created_at, updated_at, name_key FROM tags \
             WHERE org_id = $1 AND deleted_at IS NULL AND (name_key, id) > ($3, $4) \
             ORDER BY name_key, id LIMIT $2"
        }
    };
    finish_page(c, Raw(sql, params), limit).await
}

/// A customer's tags, alphabetically. `CROSS JOIN` makes SQLite start from
/// the customer's few rows instead of walking every tag of the organisation;
/// PostgreSQL plans it as any inner join.
pub async fn of_customer(
    c: &mut Conn,
    org: OrgId,
    customer: CustomerId,
    cursor: Option<Cursor>,
    limit: u64,
) -> Result<Page<Tag>> {
    let mut params = vec![org.0.into(), customer.0.into(), (limit as i64 + 1).into()];
    let sql = match cursor {
        None => {
            "SELECT t.id, t.name, t.colour, t.version, t.created_at, t.updated_at, t.name_key \
             FROM customer_tags ct CROSS JOIN tags t \
             WHERE ct.org_id = $1 AND ct.customer_id = $2 AND t.id = ct.tag_id AND t.org_id = ct.org_id \
             AND t.deleted_at IS NULL \
             ORDER BY t.name_key, t.id LIMIT $3"
        }
        Some((key, id)) => {
            params.extend([key.into(), id.into()]);
            "SELECT t.id, t.name, t.colour, t.version, t.created_at, t.updated_at, t.name_key \
             FROM customer_tags ct CROSS JOIN tags t \
             WHERE ct.org_id = $1 AND ct.customer_id = $2 AND t.id = ct.tag_id AND t.org_id = ct.org_id \
             AND t.deleted_at IS NULL \
             AND (t.name_key, t.id) > ($4, $5) ORDER BY t.name_key, t.id LIMIT $3"
        }
    };
    finish_page(c, Raw(sql, params), limit).await
}

async fn finish_page(c: &mut Conn, q: Raw, limit: u64) -> Result<Page<Tag>> {
    let rows = c.query(&q, |r| Ok((tag(r)?, r.get::<String>(6)?))).await?;
    let page = page::finish(rows, limit, |(t, key)| (key.clone(), t.id.0));
    Ok(Page {
        items: page.items.into_iter().map(|(t, _)| t).collect(),
        next_cursor: page.next_cursor,
    })
}

/// How many customers carry each tag, for the settings page.
pub async fn usage(c: &mut Conn, org: OrgId) -> Result<Vec<(TagId, i64)>> {
    c.query(
        &Raw(
            "SELECT tag_id, COUNT(*) FROM customer_tags WHERE org_id = $1 GROUP BY tag_id",
            vec![org.0.into()],
        ),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .await
}

/// Renames or recolours a tag if `patch.version` is still current; the new
/// name shows on every customer carrying it.
pub async fn update(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: TagId,
    patch: &TagPatch,
) -> Result<Tag> {
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
    let n = c
        .execute(&Raw(
            "UPDATE tags SET name = $1, name_key = $2, colour = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND org_id = $6 AND version = $7 AND deleted_at IS NULL",
            vec![
                after.name.clone().into(),
                after.name_key().into(),
                after.colour.clone().into(),
                now().into(),
                id.0.into(),
                org.0.into(),
                patch.version.into(),
            ],
        ))
        .await
        .map_err(|e| name_taken(e, &after.name))?;
    if n == 0 {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let summary = if before.name != after.name {
        format!("Tag {} renamed to {}", before.name, after.name)
    } else {
        format!("Tag {} recoloured", after.name)
    };
    audit_tag(c, org, actor, id, "updated", summary, &changes).await?;
    get(c, org, id).await
}

/// Retires a tag: it leaves every customer and its name becomes free. The
/// row stays (soft delete) so the audit log and old timeline entries keep
/// pointing at something.
pub async fn delete(c: &mut Conn, org: OrgId, actor: &Actor, id: TagId) -> Result<()> {
    let current = get(c, org, id).await?;
    let now = now();
    c.execute(&Raw(
        "UPDATE tags SET deleted_at = $1, version = version + 1, updated_at = $1 \
         WHERE id = $2 AND org_id = $3 AND deleted_at IS NULL",
        vec![now.into(), id.0.into(), org.0.into()],
    ))
    .await?;
    let changes = all_fields(&audited(&fields(&current)), false);
    let summary = format!("Tag {} deleted", current.name);
    audit_tag(c, org, actor, id, "deleted", summary, &changes).await
}

/// Puts an existing tag, named in any case, on a live customer. Returns
/// the tag and whether it was newly added; adding it again changes nothing.
pub async fn attach(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    customer: CustomerId,
    name: &str,
) -> Result<(Tag, bool)> {
    customers::get(c, org, customer, false).await?;
    let Some(tag) = by_name(c, org, name).await? else {
        let message = if name.trim().is_empty() {
            "is empty; choose one of the organisation's tags".to_string()
        } else {
            format!(
                "no tag is called “{}”; create it under Settings → Tags first",
                name.trim()
            )
        };
        return Err(Invalid::field("name", message).into());
    };
    let added = c
        .execute(&Raw(
            "INSERT INTO customer_tags (org_id, customer_id, tag_id, added_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, customer_id, tag_id) DO NOTHING",
            vec![org.0.into(), customer.0.into(), tag.id.0.into(), now().into()],
        ))
        .await?
        == 1;
    if added {
        let change = Change {
            lead_id: None,
            entity: "tag",
            entity_id: tag.id.0,
            customer_id: Some(customer),
            action: "added",
            kind: "tag",
            summary: format!("Tagged {}", tag.name),
            fields: &[],
        };
        history::record(c, org, actor, change).await?;
    }
    Ok((tag, added))
}

/// Takes a tag, named in any case, off a live customer. An unknown name is
/// NotFound; a tag the customer does not carry is already off.
pub async fn detach(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    customer: CustomerId,
    name: &str,
) -> Result<()> {
    customers::get(c, org, customer, false).await?;
    let tag = by_name(c, org, name).await?.ok_or(StoreError::NotFound)?;
    let removed = c
        .execute(&Raw(
            "DELETE FROM customer_tags WHERE org_id = $1 AND customer_id = $2 AND tag_id = $3",
            vec![org.0.into(), customer.0.into(), tag.id.0.into()],
        ))
        .await?;
    if removed > 0 {
        let change = Change {
            lead_id: None,
            entity: "tag",
            entity_id: tag.id.0,
            customer_id: Some(customer),
            action: "removed",
            kind: "tag",
            summary: format!("Removed tag {}", tag.name),
            fields: &[],
        };
        history::record(c, org, actor, change).await?;
    }
    Ok(())
}
