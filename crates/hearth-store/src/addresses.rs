//! Service addresses. "Exactly one primary per customer" is kept here, in
//! the transaction of each change, and backed by a unique partial index.

use crate::equipment;
use crate::history::{self, Change};
use crate::orgs::now;
use crate::page::{self, Page};
use crate::parent::{self, audited};
use crate::{Conn, Raw, Result, Row, StoreError};
use hearth_domain::addresses::{
    AddressFields, AddressInput, AddressPatch, ServiceAddress, new_address_is_primary,
    patched_is_primary,
};
use hearth_domain::history::{Actor, FieldChange, all_fields, diff};
use hearth_domain::{AddressId, CustomerId, Invalid, OrgId};
use serde_json::json;
use uuid::Uuid;

macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, customer_id, label, line1, line2, city, region, postal_code, country, \
             access_instructions, is_primary, version, created_at, updated_at FROM addresses ",
            $rest
        )
    };
}

fn address(r: &Row) -> Result<ServiceAddress> {
    Ok(ServiceAddress {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        fields: AddressFields {
            label: r.get(2)?,
            line1: r.get(3)?,
            line2: r.get(4)?,
            city: r.get(5)?,
            region: r.get(6)?,
            postal_code: r.get(7)?,
            country: r.get(8)?,
            access_instructions: r.get(9)?,
        },
        is_primary: r.get(10)?,
        version: r.get(11)?,
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
    })
}

fn audit_view(fields: &AddressFields, is_primary: bool) -> serde_json::Value {
    audited(fields, &[("is_primary", json!(is_primary))])
}

async fn record(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    address: (AddressId, CustomerId),
    action: &'static str,
    summary: String,
    fields: &[FieldChange],
) -> Result<()> {
    let change = Change {
        lead_id: None,
        entity: "address",
        entity_id: address.0.0,
        customer_id: Some(address.1),
        action,
        kind: "address",
        summary,
        fields,
    };
    history::record(c, org, actor, change).await?;
    // Address lines and serial numbers are part of the customer's search document.
    crate::search::reindex_customer(c, org, address.1).await
}

/// Adds a service address to a live customer; the first one, or one sent
/// with `is_primary: true`, becomes the primary.
pub async fn create(
    c: &mut Conn,
    org: OrgId,
    region: &str,
    actor: &Actor,
    customer: CustomerId,
    input: &AddressInput,
) -> Result<ServiceAddress> {
    parent::lock_live(c, org, customer).await?;
    let f = input.validate(region)?;
    let live: i64 = c
        .query_one(
            &Raw(
                "SELECT COUNT(*) FROM addresses WHERE org_id = $1 AND customer_id = $2 AND deleted_at IS NULL",
                vec![org.0.into(), customer.0.into()],
            ),
            |r| r.get(0),
        )
        .await?;
    let is_primary = new_address_is_primary(live.max(0) as u64, input.is_primary);
    let id = AddressId::new();
    if is_primary {
        demote_others(c, org, actor, customer, id).await?;
    }
    let now = now();
    c.execute(&Raw(
        "INSERT INTO addresses (id, org_id, customer_id, label, line1, line2, city, region, postal_code, country, \
         access_instructions, is_primary, address_key, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14)",
        vec![
            id.0.into(),
            org.0.into(),
            customer.0.into(),
            f.label.clone().into(),
            f.line1.clone().into(),
            f.line2.clone().into(),
            f.city.clone().into(),
            f.region.clone().into(),
            f.postal_code.clone().into(),
            f.country.clone().into(),
            f.access_instructions.clone().into(),
            is_primary.into(),
            f.duplicate_key().into(),
            now.into(),
        ],
    ))
    .await?;
    let changes = all_fields(&audit_view(&f, is_primary), true);
    let summary = format!("Address {} added", f.one_line());
    record(c, org, actor, (id, customer), "created", summary, &changes).await?;
    get(c, org, id).await
}

/// Un-marks every other primary address of the customer, each change
/// audited; runs before `keep` is marked so the unique index never sees two.
async fn demote_others(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    customer: CustomerId,
    keep: AddressId,
) -> Result<()> {
    let others = c
        .query(
            &Raw(
                select!(
                    "WHERE org_id = $1 AND customer_id = $2 AND deleted_at IS NULL AND is_primary = $3 AND id <> $4"
                ),
                vec![org.0.into(), customer.0.into(), true.into(), keep.0.into()],
            ),
            address,
        )
        .await?;
    for other in others {
        set_primary(c, org, actor, &other, false).await?;
    }
    Ok(())
}

async fn set_primary(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    a: &ServiceAddress,
    primary: bool,
) -> Result<()> {
    c.execute(&Raw(
        "UPDATE addresses SET is_primary = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND org_id = $4",
        vec![primary.into(), now().into(), a.id.0.into(), org.0.into()],
    ))
    .await?;
    let changes = [FieldChange {
        field: "is_primary".into(),
        before: json!(!primary),
        after: json!(primary),
    }];
    let summary = if primary {
        format!("Address {} is now the primary address", a.fields.one_line())
    } else {
        format!(
            "Address {} is no longer the primary address",
            a.fields.one_line()
        )
    };
    record(
        c,
        org,
        actor,
        (a.id, a.customer_id),
        "updated",
        summary,
        &changes,
    )
    .await
}

/// A live address of this organisation.
pub async fn get(c: &mut Conn, org: OrgId, id: AddressId) -> Result<ServiceAddress> {
    let sql = select!("WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL");
    c.query_one(&Raw(sql, vec![id.0.into(), org.0.into()]), address)
        .await
}

/// A live customer's primary address, if they have any address.
pub async fn primary(c: &mut Conn, org: OrgId, customer: CustomerId) -> Result<Option<AddressId>> {
    c.query_opt(
        &Raw(
            "SELECT id FROM addresses WHERE org_id = $1 AND customer_id = $2 \
             AND deleted_at IS NULL AND is_primary",
            vec![org.0.into(), customer.0.into()],
        ),
        |r| r.get(0),
    )
    .await
}

/// A customer's addresses: the primary first, then in the order added.
/// `addresses_customer (org_id=? AND customer_id=?)` finds them; the sort
/// by primary runs over one customer's few addresses.
pub async fn list(
    c: &mut Conn,
    org: OrgId,
    customer: CustomerId,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<ServiceAddress>> {
    parent::exists(c, org, customer).await?;
    let after = parent::cursor::<(bool, Uuid)>(cursor)?;
    let fetch = (limit as i64 + 1).into();
    let rows = match after {
        None => {
            let sql = select!(
                "WHERE org_id = $1 AND customer_id = $2 AND deleted_at IS NULL ORDER BY is_primary DESC, id LIMIT $3"
            );
            let args = vec![org.0.into(), customer.0.into(), fetch];
            c.query(&Raw(sql, args), address).await?
        }
        Some((primary, id)) => {
            let sql = select!(
                "WHERE org_id = $1 AND customer_id = $2 AND deleted_at IS NULL \
                 AND (is_primary < $3 OR (is_primary = $3 AND id > $4)) ORDER BY is_primary DESC, id LIMIT $5"
            );
            let args = vec![
                org.0.into(),
                customer.0.into(),
                primary.into(),
                id.into(),
                fetch,
            ];
            c.query(&Raw(sql, args), address).await?
        }
    };
    Ok(page::finish(rows, limit, |a| (a.is_primary, a.id.0)))
}

/// Applies a partial update if `patch.version` is still the stored version;
/// `is_primary: true` moves the primary mark here from the other address.
pub async fn update(
    c: &mut Conn,
    org: OrgId,
    region: &str,
    actor: &Actor,
    id: AddressId,
    patch: &AddressPatch,
) -> Result<ServiceAddress> {
    let current = get(c, org, id).await?;
    parent::lock_live(c, org, current.customer_id).await?;
    if current.version != patch.version {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let (f, is_primary) = match (
        current.fields.patched(patch, region),
        patched_is_primary(current.is_primary, patch.is_primary),
    ) {
        (Ok(f), Ok(p)) => (f, p),
        (fields, primary) => {
            let mut errors = Invalid::default();
            errors.0.extend(fields.err().into_iter().flat_map(|e| e.0));
            errors.0.extend(primary.err().into_iter().flat_map(|e| e.0));
            return Err(errors.into());
        }
    };
    let changes = diff(
        &audit_view(&current.fields, current.is_primary),
        &audit_view(&f, is_primary),
    );
    if changes.is_empty() {
        return Ok(current);
    }
    if is_primary && !current.is_primary {
        demote_others(c, org, actor, current.customer_id, id).await?;
    }
    let n = c
        .execute(&Raw(
            "UPDATE addresses SET label = $1, line1 = $2, line2 = $3, city = $4, region = $5, postal_code = $6, \
             country = $7, access_instructions = $8, is_primary = $9, address_key = $10, version = version + 1, \
             updated_at = $11 WHERE id = $12 AND org_id = $13 AND version = $14 AND deleted_at IS NULL",
            vec![
                f.label.clone().into(),
                f.line1.clone().into(),
                f.line2.clone().into(),
                f.city.clone().into(),
                f.region.clone().into(),
                f.postal_code.clone().into(),
                f.country.clone().into(),
                f.access_instructions.clone().into(),
                is_primary.into(),
                f.duplicate_key().into(),
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
    let summary = format!(
        "Address {}: changed {}",
        f.one_line(),
        parent::changed(&changes)
    );
    let key = (id, current.customer_id);
    record(c, org, actor, key, "updated", summary, &changes).await?;
    get(c, org, id).await
}

/// Removes an address and the equipment at it (soft: rows and history
/// stay). If it was the primary, the oldest remaining address takes over.
pub async fn delete(c: &mut Conn, org: OrgId, actor: &Actor, id: AddressId) -> Result<()> {
    let current = get(c, org, id).await?;
    parent::lock_live(c, org, current.customer_id).await?;
    let now = now();
    c.execute(&Raw(
        "UPDATE addresses SET deleted_at = $1, version = version + 1, updated_at = $1 \
         WHERE id = $2 AND org_id = $3 AND deleted_at IS NULL",
        vec![now.into(), id.0.into(), org.0.into()],
    ))
    .await?;
    let changes = all_fields(&audit_view(&current.fields, current.is_primary), false);
    let summary = format!("Address {} removed", current.fields.one_line());
    let key = (id, current.customer_id);
    record(c, org, actor, key, "deleted", summary, &changes).await?;
    equipment::delete_at_address(c, org, actor, &current).await?;
    if current.is_primary {
        let successor = c
            .query_opt(
                &Raw(
                    select!(
                        "WHERE org_id = $1 AND customer_id = $2 AND deleted_at IS NULL ORDER BY id LIMIT 1"
                    ),
                    vec![org.0.into(), current.customer_id.0.into()],
                ),
                address,
            )
            .await?;
        if let Some(next) = successor {
            set_primary(c, org, actor, &next, true).await?;
        }
    }
    Ok(())
}

/// Field history of an address, removed or not, newest first.
pub async fn changes(
    c: &mut Conn,
    org: OrgId,
    id: AddressId,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<history::AuditEntry>> {
    let cursor = parent::cursor::<Uuid>(cursor)?;
    c.query_one(
        &Raw(
            "SELECT id FROM addresses WHERE id = $1 AND org_id = $2",
            vec![id.0.into(), org.0.into()],
        ),
        |r| r.get::<AddressId>(0),
    )
    .await?;
    history::changes(c, org, id.0, cursor, limit).await
}
