//! Leads and the sales pipeline.
//!
//! Concurrency: a card's sort key is chosen from its neighbours' (see
//! `board`), so every change that places cards runs under the lock of the pipelines involved, taken in id
//! order before any lead row is written, on PostgreSQL (`FOR NO KEY UPDATE`,
//! which does not block inserts that merely reference the row). SQLite
//! already serialises writers, so the locks are no-ops there.

pub mod board;
pub mod capture;
pub mod convert;
mod edit;
pub mod forms;
pub mod pipelines;
mod records;
pub mod reports;
pub mod signals;
pub mod stages;
pub mod timeline;

pub(crate) use edit::check_lost_reason;
pub use edit::{create, delete, update};
pub use records::{ListOrder, ListQuery, get, get_any, list, owners};

use crate::history::{self, Change};
use crate::{Conn, Engine, Raw, Result};
use hearth_domain::history::{Actor, FieldChange};
use hearth_domain::leads::Lead;
use hearth_domain::{CustomerId, LeadId, OrgId, PipelineId};
use uuid::Uuid;

/// Audit-only history of pipeline configuration (pipelines, stages, forms).
#[allow(
    clippy::too_many_arguments,
    reason = "mirrors history::Change field by field"
)]
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

#[allow(
    clippy::too_many_arguments,
    reason = "mirrors history::Change field by field"
)]
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

/// Locks the pipeline a lead is on (and `also`, the pipeline it is going
/// to) and returns the lead as it is under the lock. Locks are only ever
/// taken on pipelines, before any lead row is written, so a transaction
/// never holds a lead's row while it waits for a pipeline.
pub(crate) async fn lock_lead_pipelines(
    c: &mut Conn,
    org: OrgId,
    id: LeadId,
    also: Option<PipelineId>,
) -> Result<Lead> {
    let mut locked: Vec<PipelineId> = Vec::new();
    loop {
        let lead = records::get(c, org, id).await?;
        if c.engine() != Engine::Postgres {
            return Ok(lead);
        }
        let wanted: Vec<PipelineId> = [Some(lead.pipeline_id), also]
            .into_iter()
            .flatten()
            .collect();
        if wanted.iter().all(|p| locked.contains(p)) {
            return Ok(lead);
        }
        // Read again under the lock: a concurrent move may have shifted it,
        // or (rarely) taken it to another pipeline, which the next round locks.
        lock_pipelines(c, org, &wanted).await?;
        locked.extend(wanted);
    }
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
