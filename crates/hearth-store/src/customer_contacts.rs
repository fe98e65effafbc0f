//! A customer's additional contacts.

use crate::history::{self, Change};
use crate::orgs::now;
use crate::page::{self, Page};
use crate::parent::{self, audited};
use crate::{Conn, Raw, Result, Row, StoreError};
use hearth_domain::customer_contacts::{
    ContactFields, ContactInput, ContactPatch, CustomerContact, OwnershipPct,
};
use hearth_domain::history::{Actor, FieldChange, all_fields, diff};
use hearth_domain::{ContactId, CustomerId, OrgId};
use uuid::Uuid;

macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, customer_id, name, phone, email, position, ownership_bp, customer_type, \
             additional_info, version, created_at, updated_at FROM customer_contacts ",
            $rest
        )
    };
}

fn contact(r: &Row) -> Result<CustomerContact> {
    let ownership_pct = match r.get::<Option<i64>>(6)? {
        None => None,
        Some(bp) => Some(
            OwnershipPct::from_basis_points(bp)
                .ok_or_else(|| StoreError::decode(6, format!("{bp} basis points")))?,
        ),
    };
    Ok(CustomerContact {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        fields: ContactFields {
            name: r.get(2)?,
            phone: r.get(3)?,
            email: r.get(4)?,
            position: r.get(5)?,
            ownership_pct,
            customer_type: r.get(7)?,
            additional_info: r.get(8)?,
        },
        version: r.get(9)?,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
    })
}

async fn record(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    contact: (ContactId, CustomerId),
    action: &'static str,
    summary: String,
    fields: &[FieldChange],
) -> Result<()> {
    let change = Change {
        lead_id: None,
        entity: "contact",
        entity_id: contact.0.0,
        customer_id: Some(contact.1),
        action,
        kind: "contact",
        summary,
        fields,
    };
    history::record(c, org, actor, change).await
}

/// Adds a contact to a live customer of this organisation.
pub async fn create(
    c: &mut Conn,
    org: OrgId,
    region: &str,
    actor: &Actor,
    customer: CustomerId,
    input: &ContactInput,
) -> Result<CustomerContact> {
    parent::lock_live(c, org, customer).await?;
    let f = input.validate(region)?;
    let id = ContactId::new();
    let now = now();
    c.execute(&Raw(
        "INSERT INTO customer_contacts (id, org_id, customer_id, name, phone, email, position, ownership_bp, \
         customer_type, additional_info, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11)",
        vec![
            id.0.into(),
            org.0.into(),
            customer.0.into(),
            f.name.clone().into(),
            f.phone.clone().into(),
            f.email.clone().into(),
            f.position.clone().into(),
            f.ownership_pct.map(OwnershipPct::basis_points).into(),
            f.customer_type.clone().into(),
            f.additional_info.clone().into(),
            now.into(),
        ],
    ))
    .await?;
    let changes = all_fields(&audited(&f, &[]), true);
    let summary = format!("Contact {} added", f.name);
    record(c, org, actor, (id, customer), "created", summary, &changes).await?;
    get(c, org, id).await
}

/// A live contact of this organisation.
pub async fn get(c: &mut Conn, org: OrgId, id: ContactId) -> Result<CustomerContact> {
    let sql = select!("WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL");
    c.query_one(&Raw(sql, vec![id.0.into(), org.0.into()]), contact)
        .await
}

/// A customer's contacts in the order they were added
/// (`customer_contacts_customer (org_id=? AND customer_id=? AND id>?)`).
pub async fn list(
    c: &mut Conn,
    org: OrgId,
    customer: CustomerId,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<CustomerContact>> {
    parent::exists(c, org, customer).await?;
    let after = parent::after_id(cursor)?;
    let sql = select!(
        "WHERE org_id = $1 AND customer_id = $2 AND deleted_at IS NULL AND id > $3 ORDER BY id LIMIT $4"
    );
    let rows = c
        .query(
            &Raw(
                sql,
                vec![
                    org.0.into(),
                    customer.0.into(),
                    after.into(),
                    (limit as i64 + 1).into(),
                ],
            ),
            contact,
        )
        .await?;
    Ok(page::finish(rows, limit, |c| c.id.0))
}

/// Applies a partial update if `patch.version` is still the stored version.
pub async fn update(
    c: &mut Conn,
    org: OrgId,
    region: &str,
    actor: &Actor,
    id: ContactId,
    patch: &ContactPatch,
) -> Result<CustomerContact> {
    let current = get(c, org, id).await?;
    parent::lock_live(c, org, current.customer_id).await?;
    if current.version != patch.version {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let f = current.fields.patched(patch, region)?;
    let changes = diff(&audited(&current.fields, &[]), &audited(&f, &[]));
    if changes.is_empty() {
        return Ok(current);
    }
    let n = c
        .execute(&Raw(
            "UPDATE customer_contacts SET name = $1, phone = $2, email = $3, position = $4, ownership_bp = $5, \
             customer_type = $6, additional_info = $7, version = version + 1, updated_at = $8 \
             WHERE id = $9 AND org_id = $10 AND version = $11 AND deleted_at IS NULL",
            vec![
                f.name.clone().into(),
                f.phone.clone().into(),
                f.email.clone().into(),
                f.position.clone().into(),
                f.ownership_pct.map(OwnershipPct::basis_points).into(),
                f.customer_type.clone().into(),
                f.additional_info.clone().into(),
                now().into(),
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
    let summary = format!("Contact {}: changed {}", f.name, parent::changed(&changes));
    let key = (id, current.customer_id);
    record(c, org, actor, key, "updated", summary, &changes).await?;
    get(c, org, id).await
}

/// Removes a contact (soft: the row and its history stay).
pub async fn delete(c: &mut Conn, org: OrgId, actor: &Actor, id: ContactId) -> Result<()> {
    let current = get(c, org, id).await?;
    parent::lock_live(c, org, current.customer_id).await?;
    let now = now();
    c.execute(&Raw(
        "UPDATE customer_contacts SET deleted_at = $1, version = version + 1, updated_at = $1 \
         WHERE id = $2 AND org_id = $3 AND deleted_at IS NULL",
        vec![now.into(), id.0.into(), org.0.into()],
    ))
    .await?;
    let changes = all_fields(&audited(&current.fields, &[]), false);
    let summary = format!("Contact {} removed", current.fields.name);
    let key = (id, current.customer_id);
    record(c, org, actor, key, "deleted", summary, &changes).await
}

/// Field history of a contact, removed or not, newest first.
pub async fn changes(
    c: &mut Conn,
    org: OrgId,
    id: ContactId,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<history::AuditEntry>> {
    let cursor = parent::cursor::<Uuid>(cursor)?;
    c.query_one(
        &Raw(
            "SELECT id FROM customer_contacts WHERE id = $1 AND org_id = $2",
            vec![id.0.into(), org.0.into()],
        ),
        |r| r.get::<ContactId>(0),
    )
    .await?;
    history::changes(c, org, id.0, cursor, limit).await
}
