//! Booking, changing and removing jobs. A job's references (customer,
//! address, technicians, equipment) are checked in the transaction that
//! writes it, and every bad one is named with the fields the domain found.

use super::{get, status};
use crate::history::{self, Change};
use crate::orgs::now;
use crate::{Conn, Raw, Result, StoreError, addresses, parent};
use hearth_domain::history::{Actor, FieldChange, all_fields, diff};
use hearth_domain::jobs::{
    AgreedWork, Job, JobFields, JobInput, JobPatch, JobStatus, ScheduleInput, currency_for_region,
};
use hearth_domain::{AddressId, CustomerId, EquipmentId, Invalid, JobId, OrgId, UserId};
use sea_query::{Expr, ExprTrait, Query};
use uuid::Uuid;

fn audited(f: &JobFields) -> serde_json::Value {
    serde_json::to_value(f).unwrap_or_default()
}

/// Books the job that agreed work (an accepted quote, a won lead) becomes.
pub async fn book_agreed(
    c: &mut Conn,
    org: OrgId,
    region: &str,
    actor: &Actor,
    schedule: &ScheduleInput,
    mut work: AgreedWork,
) -> Result<Job> {
    work.primary_address = addresses::primary(c, org, work.customer).await?;
    create(c, org, region, actor, &schedule.job(work)).await
}

pub(super) async fn record(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    job: (JobId, CustomerId),
    action: &'static str,
    summary: String,
    fields: &[FieldChange],
) -> Result<()> {
    let change = Change {
        entity: "job",
        entity_id: job.0.0,
        customer_id: Some(job.1),
        lead_id: None,
        action,
        kind: "job",
        summary,
        fields,
    };
    history::record(c, org, actor, change).await
}

/// Which references to check: only new ones, so a technician who has
/// since left does not block an edit that does not touch the crew.
struct Refs<'a> {
    customer: CustomerId,
    address: Option<AddressId>,
    technicians: &'a [UserId],
    equipment: &'a [EquipmentId],
}

async fn check_refs(c: &mut Conn, org: OrgId, refs: Refs<'_>, errors: &mut Invalid) -> Result<()> {
    let mut technicians = refs.technicians.to_vec();
    technicians.sort_unstable();
    technicians.dedup();
    let mut equipment = refs.equipment.to_vec();
    equipment.sort_unstable();
    equipment.dedup();
    if let Some(address) = refs.address {
        match addresses::get(c, org, address).await {
            Ok(a) if a.customer_id == refs.customer => {}
            // Another customer's, another organisation's, or none at all.
            Ok(_) | Err(StoreError::NotFound) => {
                errors.push("address_id", "is not a service address of this customer")
            }
            Err(e) => return Err(e),
        }
    }
    if !technicians.is_empty() {
        let mut q = Query::select();
        q.expr(Expr::cust("id"))
            .from(super::children::Users::Table)
            .and_where(Expr::cust("org_id").eq(org.0))
            .and_where(Expr::cust("disabled_at").is_null())
            .and_where(Expr::cust("id").is_in(technicians.iter().map(|u| Expr::val(u.0))));
        let found = c.query(&q, |r| r.get::<UserId>(0)).await?;
        if found.len() != technicians.len() {
            errors.push(
                "technician_ids",
                "lists someone who is not an active user of this organisation",
            );
        }
    }
    if !equipment.is_empty() {
        let mut q = Query::select();
        q.expr(Expr::cust("id"))
            .from(Equipment::Table)
            .and_where(Expr::cust("org_id").eq(org.0))
            .and_where(Expr::cust("customer_id").eq(refs.customer.0))
            .and_where(Expr::cust("deleted_at").is_null())
            .and_where(Expr::cust("id").is_in(equipment.iter().map(|e| Expr::val(e.0))));
        let found = c.query(&q, |r| r.get::<EquipmentId>(0)).await?;
        if found.len() != equipment.len() {
            errors.push(
                "equipment_ids",
                "lists equipment that is not at this customer's addresses",
            );
        }
    }
    Ok(())
}

#[derive(sea_query::Iden)]
enum Equipment {
    Table,
}

/// Books a job for a live customer of this organisation.
pub async fn create(
    c: &mut Conn,
    org: OrgId,
    region: &str,
    actor: &Actor,
    input: &JobInput,
) -> Result<Job> {
    let mut errors = Invalid::default();
    let fields = input
        .validate(currency_for_region(region))
        .map_err(|e| errors.0.extend(e.0))
        .ok();
    if let Some(customer) = input.customer_id {
        match parent::lock_live(c, org, customer).await {
            Ok(()) => {
                let refs = Refs {
                    customer,
                    address: input.address_id,
                    technicians: &input.technician_ids,
                    equipment: &input.equipment_ids,
                };
                check_refs(c, org, refs, &mut errors).await?;
            }
            Err(StoreError::NotFound) => {
                errors.push("customer_id", "is not a customer of this organisation")
            }
            Err(e) => return Err(e),
        }
    }
    let (customer, f) = match (input.customer_id, fields) {
        (Some(customer), Some(f)) if errors.0.is_empty() => (customer, f),
        _ => return Err(errors.into()),
    };
    let id = JobId::new();
    let now = now();
    c.execute(&Raw(
        "INSERT INTO jobs (id, org_id, customer_id, address_id, service_type, industry, description, \
         scheduled_start, scheduled_end, status, currency, total_minor, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13)",
        vec![
            id.0.into(),
            org.0.into(),
            customer.0.into(),
            f.address_id.0.into(),
            f.service_type.clone().into(),
            f.industry.as_str().into(),
            f.description.clone().into(),
            f.scheduled_start.into(),
            f.scheduled_end.into(),
            JobStatus::Scheduled.as_str().into(),
            f.currency.clone().into(),
            f.totals().total_minor.into(),
            now.into(),
        ],
    ))
    .await?;
    write_technicians(c, org, id, &f).await?;
    write_equipment(c, org, id, &f).await?;
    write_line_items(c, org, id, &f).await?;
    status::append(c, org, actor, id, None, JobStatus::Scheduled, None, now).await?;
    let changes = all_fields(&audited(&f), true);
    let summary = format!(
        "Job {} booked for {}",
        f.service_type,
        f.scheduled_start.format("%b %-d, %Y %H:%M")
    );
    record(c, org, actor, (id, customer), "created", summary, &changes).await?;
    get(c, org, id).await
}

async fn write_technicians(c: &mut Conn, org: OrgId, id: JobId, f: &JobFields) -> Result<()> {
    c.execute(&Raw(
        "DELETE FROM job_technicians WHERE org_id = $1 AND job_id = $2",
        vec![org.0.into(), id.0.into()],
    ))
    .await?;
    for user in &f.technician_ids {
        c.execute(&Raw(
            "INSERT INTO job_technicians (org_id, job_id, user_id, scheduled_start) VALUES ($1, $2, $3, $4)",
            vec![org.0.into(), id.0.into(), user.0.into(), f.scheduled_start.into()],
        ))
        .await?;
    }
    Ok(())
}

async fn write_equipment(c: &mut Conn, org: OrgId, id: JobId, f: &JobFields) -> Result<()> {
    c.execute(&Raw(
        "DELETE FROM job_equipment WHERE org_id = $1 AND job_id = $2",
        vec![org.0.into(), id.0.into()],
    ))
    .await?;
    for unit in &f.equipment_ids {
        c.execute(&Raw(
            "INSERT INTO job_equipment (org_id, job_id, equipment_id) VALUES ($1, $2, $3)",
            vec![org.0.into(), id.0.into(), unit.0.into()],
        ))
        .await?;
    }
    Ok(())
}

async fn write_line_items(c: &mut Conn, org: OrgId, id: JobId, f: &JobFields) -> Result<()> {
    c.execute(&Raw(
        "DELETE FROM job_line_items WHERE org_id = $1 AND job_id = $2",
        vec![org.0.into(), id.0.into()],
    ))
    .await?;
    for (position, item) in f.line_items.iter().enumerate() {
        c.execute(&Raw(
            "INSERT INTO job_line_items (id, org_id, job_id, position, kind, description, quantity_milli, \
             unit_price_minor, currency, total_minor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            vec![
                Uuid::now_v7().into(),
                org.0.into(),
                id.0.into(),
                (position as i64).into(),
                item.kind.as_str().into(),
                item.description.clone().into(),
                item.quantity.milli().into(),
                item.unit_price_minor.into(),
                item.currency.clone().into(),
                item.total_minor.into(),
            ],
        ))
        .await?;
    }
    Ok(())
}

/// A job that is completed or cancelled stays as it was.
fn still_open(job: &Job, doing: &str) -> Result<()> {
    if job.status.is_final() {
        return Err(Invalid::field(
            "status",
            format!("the job is {}; it cannot be {doing}", job.status.as_str()),
        )
        .into());
    }
    Ok(())
}

/// Applies a partial update if `patch.version` is still the stored version.
pub async fn update(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: JobId,
    patch: &JobPatch,
) -> Result<Job> {
    let current = get(c, org, id).await?;
    parent::lock_live(c, org, current.customer_id).await?;
    if current.version != patch.version {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    still_open(&current, "changed")?;
    let mut errors = Invalid::default();
    let fields = current
        .fields
        .patched(current.customer_id, patch)
        .map_err(|e| errors.0.extend(e.0))
        .ok();
    let old = &current.fields;
    let new_techs: Vec<UserId> = patch
        .technician_ids
        .iter()
        .flatten()
        .filter(|u| !old.technician_ids.contains(u))
        .copied()
        .collect();
    let new_units: Vec<EquipmentId> = patch
        .equipment_ids
        .iter()
        .flatten()
        .filter(|e| !old.equipment_ids.contains(e))
        .copied()
        .collect();
    let refs = Refs {
        customer: current.customer_id,
        address: patch.address_id.filter(|a| *a != old.address_id),
        technicians: &new_techs,
        equipment: &new_units,
    };
    check_refs(c, org, refs, &mut errors).await?;
    let f = match fields {
        Some(f) if errors.0.is_empty() => f,
        _ => return Err(errors.into()),
    };
    let changes = diff(&audited(old), &audited(&f));
    if changes.is_empty() {
        return Ok(current);
    }
    let n = c
        .execute(&Raw(
            "UPDATE jobs SET address_id = $1, service_type = $2, industry = $3, description = $4, \
             scheduled_start = $5, scheduled_end = $6, currency = $7, total_minor = $8, \
             version = version + 1, updated_at = $9 \
             WHERE id = $10 AND org_id = $11 AND version = $12 AND deleted_at IS NULL",
            vec![
                f.address_id.0.into(),
                f.service_type.clone().into(),
                f.industry.as_str().into(),
                f.description.clone().into(),
                f.scheduled_start.into(),
                f.scheduled_end.into(),
                f.currency.clone().into(),
                f.totals().total_minor.into(),
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
    if f.technician_ids != old.technician_ids || f.scheduled_start != old.scheduled_start {
        write_technicians(c, org, id, &f).await?;
    }
    if f.equipment_ids != old.equipment_ids {
        write_equipment(c, org, id, &f).await?;
    }
    if f.line_items != old.line_items || f.currency != old.currency {
        write_line_items(c, org, id, &f).await?;
    }
    let summary = format!(
        "Job {}: changed {}",
        f.service_type,
        parent::changed(&changes)
    );
    let key = (id, current.customer_id);
    record(c, org, actor, key, "updated", summary, &changes).await?;
    get(c, org, id).await
}

/// Removes a job that is not completed (soft: rows and history stay). A
/// completed job is part of the customer's service history and stays.
pub async fn delete(c: &mut Conn, org: OrgId, actor: &Actor, id: JobId) -> Result<()> {
    let current = get(c, org, id).await?;
    parent::lock_live(c, org, current.customer_id).await?;
    if current.status == JobStatus::Completed {
        return Err(Invalid::field(
            "status",
            "a completed job is part of the service history and cannot be deleted",
        )
        .into());
    }
    let now = now();
    c.execute(&Raw(
        "UPDATE jobs SET deleted_at = $1, version = version + 1, updated_at = $1 \
         WHERE id = $2 AND org_id = $3 AND deleted_at IS NULL",
        vec![now.into(), id.0.into(), org.0.into()],
    ))
    .await?;
    let changes = all_fields(&audited(&current.fields), false);
    let summary = format!("Job {} deleted", current.title());
    let key = (id, current.customer_id);
    record(c, org, actor, key, "deleted", summary, &changes).await
}
