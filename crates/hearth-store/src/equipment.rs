//! Equipment at service addresses, and the list of warranties about to end.

use crate::addresses;
use crate::history::{self, Change};
use crate::orgs::now;
use crate::page::{self, Page};
use crate::parent::{self, audited};
use crate::{Conn, Raw, Result, Row, StoreError};
use chrono::NaiveDate;
use hearth_domain::addresses::ServiceAddress;
use hearth_domain::equipment::{
    Equipment, EquipmentFields, EquipmentInput, EquipmentPatch, lifecycle,
};
use hearth_domain::history::{Actor, FieldChange, all_fields, diff};
use hearth_domain::{AddressId, CustomerId, EquipmentId, Invalid, OrgId};
use serde_json::json;
use uuid::Uuid;

/// The columns [`equipment`] reads, in its order; `e` is the table's alias.
macro_rules! columns {
    () => {
        "e.id, e.customer_id, e.address_id, e.kind, e.make, e.model, e.serial_number, e.install_date, \
         e.expected_lifespan_years, e.warranty_expires_on, e.notes, e.last_service_date, e.version, \
         e.created_at, e.updated_at"
    };
}

macro_rules! select {
    ($rest:literal) => {
        concat!("SELECT ", columns!(), " FROM equipment e ", $rest)
    };
}

mod warranties;
pub use warranties::{ExpiringWarranty, expiring_warranties};

fn today() -> NaiveDate {
    now().date_naive()
}

fn equipment(r: &Row) -> Result<Equipment> {
    let fields = EquipmentFields {
        kind: r.get(3)?,
        make: r.get(4)?,
        model: r.get(5)?,
        serial_number: r.get(6)?,
        install_date: r.get(7)?,
        expected_lifespan_years: r.get(8)?,
        warranty_expires_on: r.get(9)?,
        notes: r.get(10)?,
    };
    let life = lifecycle(fields.install_date, fields.expected_lifespan_years, today());
    Ok(Equipment {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        address_id: r.get(2)?,
        fields,
        last_service_date: r.get(11)?,
        age_years: life.age_years,
        end_of_life_year: life.end_of_life_year,
        version: r.get(12)?,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
    })
}

fn audit_view(fields: &EquipmentFields, address: AddressId) -> serde_json::Value {
    audited(fields, &[("address_id", json!(address))])
}

async fn record(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    unit: (EquipmentId, CustomerId),
    action: &'static str,
    summary: String,
    fields: &[FieldChange],
) -> Result<()> {
    let change = Change {
        lead_id: None,
        entity: "equipment",
        entity_id: unit.0.0,
        customer_id: Some(unit.1),
        action,
        kind: "equipment",
        summary,
        fields,
    };
    history::record(c, org, actor, change).await?;
    // Address lines and serial numbers are part of the customer's search document.
    crate::search::reindex_customer(c, org, unit.1).await
}

/// Records equipment at a live address of a live customer.
pub async fn create(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    address: AddressId,
    input: &EquipmentInput,
) -> Result<Equipment> {
    let at = addresses::get(c, org, address).await?;
    parent::lock_live(c, org, at.customer_id).await?;
    let f = input.validate(today())?;
    let id = EquipmentId::new();
    let now = now();
    c.execute(&Raw(
        "INSERT INTO equipment (id, org_id, customer_id, address_id, kind, make, model, serial_number, install_date, \
         expected_lifespan_years, warranty_expires_on, notes, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13)",
        vec![
            id.0.into(),
            org.0.into(),
            at.customer_id.0.into(),
            address.0.into(),
            f.kind.clone().into(),
            f.make.clone().into(),
            f.model.clone().into(),
            f.serial_number.clone().into(),
            f.install_date.into(),
            f.expected_lifespan_years.into(),
            f.warranty_expires_on.into(),
            f.notes.clone().into(),
            now.into(),
        ],
    ))
    .await?;
    let changes = all_fields(&audit_view(&f, address), true);
    let summary = format!("Equipment {} added at {}", f.title(), at.fields.line1);
    record(
        c,
        org,
        actor,
        (id, at.customer_id),
        "created",
        summary,
        &changes,
    )
    .await?;
    get(c, org, id).await
}

/// Live equipment of this organisation.
pub async fn get(c: &mut Conn, org: OrgId, id: EquipmentId) -> Result<Equipment> {
    let sql = select!("WHERE e.id = $1 AND e.org_id = $2 AND e.deleted_at IS NULL");
    c.query_one(&Raw(sql, vec![id.0.into(), org.0.into()]), equipment)
        .await
}

/// The equipment at a live address, in the order it was recorded
/// (`equipment_address (org_id=? AND address_id=? AND id>?)`).
pub async fn list(
    c: &mut Conn,
    org: OrgId,
    address: AddressId,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<Equipment>> {
    addresses::get(c, org, address).await?;
    let after = parent::after_id(cursor)?;
    let sql = select!(
        "WHERE e.org_id = $1 AND e.address_id = $2 AND e.deleted_at IS NULL AND e.id > $3 ORDER BY e.id LIMIT $4"
    );
    let args = vec![
        org.0.into(),
        address.0.into(),
        after.into(),
        (limit as i64 + 1).into(),
    ];
    let rows = c.query(&Raw(sql, args), equipment).await?;
    Ok(page::finish(rows, limit, |e| e.id.0))
}

/// All live equipment at a customer's live addresses, for the customer card.
pub async fn for_customer(
    c: &mut Conn,
    org: OrgId,
    customer: CustomerId,
) -> Result<Vec<Equipment>> {
    let sql = select!(
        "WHERE e.org_id = $1 AND e.deleted_at IS NULL AND e.address_id IN \
         (SELECT a.id FROM addresses a WHERE a.org_id = $1 AND a.customer_id = $2 AND a.deleted_at IS NULL) \
         ORDER BY e.id LIMIT 1000"
    );
    c.query(&Raw(sql, vec![org.0.into(), customer.0.into()]), equipment)
        .await
}

/// Applies a partial update if `patch.version` is still the stored version.
/// `address_id` may move the unit to another address of the same customer.
pub async fn update(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: EquipmentId,
    patch: &EquipmentPatch,
) -> Result<Equipment> {
    let current = get(c, org, id).await?;
    parent::lock_live(c, org, current.customer_id).await?;
    if current.version != patch.version {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let mut errors = Invalid::default();
    let fields = current
        .fields
        .patched(patch, today())
        .map_err(|e| errors.0.extend(e.0))
        .ok();
    let address = match patch.address_id {
        Some(target) if target != current.address_id => {
            match addresses::get(c, org, target).await {
                Ok(a) if a.customer_id == current.customer_id => target,
                // Another customer's address, another organisation's, or
                // none at all: the client learns only that it cannot be used.
                Ok(_) | Err(StoreError::NotFound) => {
                    errors.push("address_id", "is not an address of this customer");
                    current.address_id
                }
                Err(e) => return Err(e),
            }
        }
        _ => current.address_id,
    };
    let f = match fields {
        Some(f) if errors.0.is_empty() => f,
        _ => return Err(errors.into()),
    };
    let changes = diff(
        &audit_view(&current.fields, current.address_id),
        &audit_view(&f, address),
    );
    if changes.is_empty() {
        return Ok(current);
    }
    let n = c
        .execute(&Raw(
            "UPDATE equipment SET address_id = $1, kind = $2, make = $3, model = $4, serial_number = $5, \
             install_date = $6, expected_lifespan_years = $7, warranty_expires_on = $8, notes = $9, \
             version = version + 1, updated_at = $10 \
             WHERE id = $11 AND org_id = $12 AND version = $13 AND deleted_at IS NULL",
            vec![
                address.0.into(),
                f.kind.clone().into(),
                f.make.clone().into(),
                f.model.clone().into(),
                f.serial_number.clone().into(),
                f.install_date.into(),
                f.expected_lifespan_years.into(),
                f.warranty_expires_on.into(),
                f.notes.clone().into(),
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
        "Equipment {}: changed {}",
        f.title(),
        parent::changed(&changes)
    );
    let key = (id, current.customer_id);
    record(c, org, actor, key, "updated", summary, &changes).await?;
    get(c, org, id).await
}

/// Removes equipment (soft: the row and its history stay).
pub async fn delete(c: &mut Conn, org: OrgId, actor: &Actor, id: EquipmentId) -> Result<()> {
    let current = get(c, org, id).await?;
    parent::lock_live(c, org, current.customer_id).await?;
    remove(c, org, actor, &current, "removed").await
}

/// Removes the equipment at an address that is being removed.
pub(crate) async fn delete_at_address(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    address: &ServiceAddress,
) -> Result<()> {
    let sql = select!("WHERE e.org_id = $1 AND e.address_id = $2 AND e.deleted_at IS NULL");
    let units = c
        .query(
            &Raw(sql, vec![org.0.into(), address.id.0.into()]),
            equipment,
        )
        .await?;
    for unit in units {
        remove(c, org, actor, &unit, "removed with its address").await?;
    }
    Ok(())
}

async fn remove(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    unit: &Equipment,
    how: &str,
) -> Result<()> {
    let now = now();
    c.execute(&Raw(
        "UPDATE equipment SET deleted_at = $1, version = version + 1, updated_at = $1 \
         WHERE id = $2 AND org_id = $3 AND deleted_at IS NULL",
        vec![now.into(), unit.id.0.into(), org.0.into()],
    ))
    .await?;
    let changes = all_fields(&audit_view(&unit.fields, unit.address_id), false);
    let summary = format!("Equipment {} {how}", unit.fields.title());
    let key = (unit.id, unit.customer_id);
    record(c, org, actor, key, "deleted", summary, &changes).await
}

/// Field history of equipment, removed or not, newest first.
pub async fn changes(
    c: &mut Conn,
    org: OrgId,
    id: EquipmentId,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<history::AuditEntry>> {
    let cursor = parent::cursor::<Uuid>(cursor)?;
    c.query_one(
        &Raw(
            "SELECT id FROM equipment WHERE id = $1 AND org_id = $2",
            vec![id.0.into(), org.0.into()],
        ),
        |r| r.get::<EquipmentId>(0),
    )
    .await?;
    history::changes(c, org, id.0, cursor, limit).await
}
