//! Leads and the sales pipeline.
//!
//! Concurrency: card positions are dense per stage, so every change that
//! moves cards runs under locks taken in one order — the lead's row, then
//! its pipelines' rows by id — on PostgreSQL (`FOR NO KEY UPDATE`, which
//! does not block inserts that merely reference the row). SQLite already
//! serialises writers, so the locks are no-ops there.

pub mod board;
pub mod convert;
pub mod forms;
pub mod pipelines;
mod records;
pub mod reports;
pub mod signals;
pub mod timeline;

pub use records::{ListOrder, ListQuery, create, delete, get, list, update};

use crate::history::{self, Change};
use crate::{Conn, Engine, Raw, Result};
use hearth_domain::history::{Actor, FieldChange};
use hearth_domain::{CustomerId, LeadId, OrgId, PipelineId};
use uuid::Uuid;

/// Audit-only history of pipeline configuration (pipelines, stages, forms).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn audit(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    entity: &'static str,
    id: Uuid,
    action: &'static str,
    summary: String,
    fields: &[FieldChange],
) -> Result<()> {
    history::record(
        c,
        org,
        actor,
        Change {
            entity,
            entity_id: id,
            customer_id: None,
            lead_id: None,
            action,
            kind: "lead",
            summary,
            fields,
        },
    )
    .await
}

/// Where a change to a lead is shown.
#[derive(Clone, Copy)]
pub(crate) enum Shown {
    /// Audit log only (a card reordered within its column).
    AuditOnly,
    /// The lead's timeline.
    Lead,
    /// The lead's timeline and its customer's.
    LeadAndCustomer(Option<CustomerId>),
}

pub(crate) async fn record(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    lead: LeadId,
    shown: Shown,
    action: &'static str,
    summary: String,
    fields: &[FieldChange],
) -> Result<()> {
    let (lead_id, customer_id) = match shown {
        Shown::AuditOnly => (None, None),
        Shown::Lead => (Some(lead), None),
        Shown::LeadAndCustomer(customer) => (Some(lead), customer),
    };
    history::record(
        c,
        org,
        actor,
        Change {
            entity: "lead",
            entity_id: lead.0,
            customer_id,
            lead_id,
            action,
            kind: "lead",
            summary,
            fields,
        },
    )
    .await
}

/// Locks a lead's row for the rest of the transaction (PostgreSQL).
pub(crate) async fn lock_lead(c: &mut Conn, org: OrgId, id: LeadId) -> Result<()> {
    if c.engine() == Engine::Postgres {
        c.execute(&Raw(
            "SELECT id FROM leads WHERE id = $1 AND org_id = $2 FOR NO KEY UPDATE",
            vec![id.0.into(), org.0.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Locks pipelines' rows, in id order so two transactions never wait on
/// each other in a circle (PostgreSQL).
pub(crate) async fn lock_pipelines(c: &mut Conn, org: OrgId, ids: &[PipelineId]) -> Result<()> {
    if c.engine() != Engine::Postgres {
        return Ok(());
    }
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    for id in ids {
        c.execute(&Raw(
            "SELECT id FROM pipelines WHERE id = $1 AND org_id = $2 FOR NO KEY UPDATE",
            vec![id.0.into(), org.0.into()],
        ))
        .await?;
    }
    Ok(())
}
