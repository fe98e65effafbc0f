//! Moving a job through its statuses, the history of those moves, and what
//! completing a job does to the equipment it serviced.

use super::get;
use super::write::record;
use crate::history::{self, Change};
use crate::orgs::now;
use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row, StoreError, parent};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_domain::history::{Actor, ActorKind, FieldChange};
use hearth_domain::jobs::{Job, JobAccess, JobStatus, StatusChange, StatusInput, transition};
use hearth_domain::{CustomerId, EquipmentId, JobId, OrgId, StatusChangeId};
use serde_json::json;

/// Moves a job to the status asked for, if that move is allowed from where
/// it is (see `hearth_domain::jobs::transition`), at instant `at`.
/// Completing it sets `last_service_date` on the equipment it serviced, in
/// the same transaction.
pub async fn set_status(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    access: JobAccess,
    id: JobId,
    input: &StatusInput,
    at: DateTime<Utc>,
) -> Result<Job> {
    let job = get(c, org, id).await?;
    parent::lock_live(c, org, job.customer_id).await?;
    if !access.allows(&job.fields.technician_ids) {
        return Err(StoreError::Forbidden(
            "only the technicians on a job move its status",
        ));
    }
    let (to, reason) = transition(job.status, input)?;
    let cancel_reason = (to == JobStatus::Cancelled)
        .then(|| reason.clone())
        .flatten();
    let completed_at = (to == JobStatus::Completed).then_some(at);
    let n = c
        .execute(&Raw(
            "UPDATE jobs SET status = $1, cancel_reason = $2, completed_at = $3, version = version + 1, \
             updated_at = $4 WHERE id = $5 AND org_id = $6 AND version = $7 AND deleted_at IS NULL",
            vec![
                to.as_str().into(),
                cancel_reason.clone().into(),
                completed_at.into(),
                now().into(),
                id.0.into(),
                org.0.into(),
                job.version.into(),
            ],
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict {
            current_version: job.version,
        });
    }
    append(c, org, actor, id, Some(job.status), to, reason.clone(), at).await?;
    if to == JobStatus::Completed {
        let day = at.date_naive();
        for unit in &job.fields.equipment_ids {
            mark_serviced(c, org, actor, &job, *unit, day).await?;
        }
    }
    let mut changes = vec![FieldChange {
        field: "status".into(),
        before: json!(job.status.as_str()),
        after: json!(to.as_str()),
    }];
    if let Some(reason) = &cancel_reason {
        changes.push(FieldChange {
            field: "cancel_reason".into(),
            before: serde_json::Value::Null,
            after: json!(reason),
        });
    }
    let action = match to {
        JobStatus::Completed => "completed",
        JobStatus::Cancelled => "cancelled",
        _ => "status_changed",
    };
    let mut summary = format!("Job {}: {}", job.fields.service_type, to.verb());
    if let Some(reason) = &reason {
        summary.push_str(&format!(" ({reason})"));
    }
    record(
        c,
        org,
        actor,
        (id, job.customer_id),
        action,
        summary,
        &changes,
    )
    .await?;
    get(c, org, id).await
}

/// Adds a line to the status history.
#[allow(clippy::too_many_arguments, reason = "one history row's columns")]
pub(super) async fn append(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    job: JobId,
    from: Option<JobStatus>,
    to: JobStatus,
    reason: Option<String>,
    at: DateTime<Utc>,
) -> Result<()> {
    c.execute(&Raw(
        "INSERT INTO job_status_history (id, org_id, job_id, from_status, to_status, reason, \
         actor_kind, actor_id, actor_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        vec![
            StatusChangeId::new().0.into(),
            org.0.into(),
            job.0.into(),
            from.map(JobStatus::as_str).into(),
            to.as_str().into(),
            reason.into(),
            actor.kind.as_str().into(),
            actor.id.into(),
            actor.name.clone().into(),
            at.into(),
        ],
    ))
    .await
    .map(drop)
}

/// Records the service on one unit. The date only moves forward, so
/// completing an older job late never hides a newer visit.
async fn mark_serviced(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    job: &Job,
    unit: EquipmentId,
    day: NaiveDate,
) -> Result<()> {
    let found = c
        .query_opt(
            &Raw(
                "SELECT customer_id, kind, make, model, last_service_date FROM equipment \
                 WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL",
                vec![unit.0.into(), org.0.into()],
            ),
            |r| {
                let parts: [Option<String>; 3] = [r.get(1)?, r.get(2)?, r.get(3)?];
                let title: Vec<String> = parts.into_iter().flatten().collect();
                Ok((
                    r.get::<CustomerId>(0)?,
                    title.join(" "),
                    r.get::<Option<NaiveDate>>(4)?,
                ))
            },
        )
        .await?;
    let Some((customer, title, last)) = found else {
        return Ok(());
    };
    if last.is_some_and(|d| d >= day) {
        return Ok(());
    }
    c.execute(&Raw(
        "UPDATE equipment SET last_service_date = $1, updated_at = $2 WHERE id = $3 AND org_id = $4",
        vec![day.into(), now().into(), unit.0.into(), org.0.into()],
    ))
    .await?;
    let changes = [FieldChange {
        field: "last_service_date".into(),
        before: json!(last),
        after: json!(day),
    }];
    let change = Change {
        entity: "equipment",
        entity_id: unit.0,
        customer_id: Some(customer),
        lead_id: None,
        action: "serviced",
        kind: "equipment",
        summary: format!(
            "Equipment {title} serviced on {day} (job {})",
            job.fields.service_type
        ),
        fields: &changes,
    };
    history::record(c, org, actor, change).await
}

fn status_change(r: &Row) -> Result<StatusChange> {
    let from: Option<String> = r.get(1)?;
    let to: String = r.get(2)?;
    Ok(StatusChange {
        id: r.get(0)?,
        from: from.as_deref().and_then(JobStatus::parse),
        to: JobStatus::parse(&to).unwrap_or(JobStatus::Scheduled),
        reason: r.get(3)?,
        actor: Actor {
            kind: ActorKind::parse(&r.get::<String>(4)?),
            id: r.get(5)?,
            name: r.get(6)?,
        },
        at: r.get(7)?,
    })
}

/// A job's status changes, oldest first (`job_status_history_job`).
pub async fn status_history(
    c: &mut Conn,
    org: OrgId,
    id: JobId,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<StatusChange>> {
    get(c, org, id).await?;
    let after = parent::after_id(cursor)?;
    let rows = c
        .query(
            &Raw(
                "SELECT id, from_status, to_status, reason, actor_kind, actor_id, actor_name, at \
                 FROM job_status_history WHERE org_id = $1 AND job_id = $2 AND id > $3 ORDER BY id LIMIT $4",
                vec![
                    org.0.into(),
                    id.0.into(),
                    after.into(),
                    (limit as i64 + 1).into(),
                ],
            ),
            status_change,
        )
        .await?;
    Ok(page::finish(rows, limit, |s| s.id.0))
}
