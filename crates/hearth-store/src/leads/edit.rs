//! Changing leads: capture, edit, delete. Card moves are in `board`.

use super::records::{Leads, get};
use super::{Shown, lock_lead_pipelines, lock_pipelines, pipelines, record, stages};
use crate::orgs::now;
use crate::{Conn, Raw, Result, StoreError};
use hearth_domain::history::{Actor, all_fields, diff};
use hearth_domain::leads::{Lead, LeadFields, LeadInput, LeadPatch, Stage, StageKind};
use hearth_domain::{CustomerId, Invalid, LeadId, OrgId, PipelineId, StageId, UserId};
use sea_query::{Expr, ExprTrait, Query};

fn audited(f: &LeadFields) -> serde_json::Value {
    serde_json::to_value(f).unwrap_or_default()
}

/// A 422 naming `field` when the user is not an active user of this org.
pub(crate) async fn check_owner(c: &mut Conn, org: OrgId, owner: Option<UserId>) -> Result<()> {
    let Some(owner) = owner else { return Ok(()) };
    let found = c
        .query_opt(
            &Raw(
                "SELECT id FROM users WHERE id = $1 AND org_id = $2 AND disabled_at IS NULL",
                vec![owner.0.into(), org.0.into()],
            ),
            |r| r.get::<UserId>(0),
        )
        .await?;
    match found {
        Some(_) => Ok(()),
        None => {
            Err(Invalid::field("owner_id", "is not an active user of this organisation").into())
        }
    }
}

/// Where a new lead goes: the stage asked for, else the first open stage of
/// the pipeline asked for, else of the default pipeline.
pub(crate) async fn placement(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    pipeline_id: Option<PipelineId>,
    stage_id: Option<StageId>,
) -> Result<Stage> {
    if let Some(stage_id) = stage_id {
        let stage = stages::stage(c, org, stage_id)
            .await
            .map_err(|e| not_found_as(e, "stage_id", "is not a stage of this organisation"))?;
        if pipeline_id.is_some_and(|p| p != stage.pipeline_id) {
            return Err(Invalid::field("stage_id", "is not a stage of that pipeline").into());
        }
        return Ok(stage);
    }
    let pipeline = match pipeline_id {
        Some(id) => pipelines::get(c, org, id).await.map_err(|e| {
            not_found_as(e, "pipeline_id", "is not a pipeline of this organisation")
        })?,
        None => pipelines::default_pipeline(c, org, actor).await?,
    };
    pipeline
        .entry_stage()
        .cloned()
        .ok_or_else(|| Invalid::field("pipeline_id", "the pipeline has no open stage").into())
}

/// A missing related record is bad input (422), not a missing path (404).
pub(crate) fn not_found_as(e: StoreError, field: &str, message: &str) -> StoreError {
    match e {
        StoreError::NotFound => Invalid::field(field, message).into(),
        e => e,
    }
}

/// Lost leads carry a reason; no other lead does.
pub(crate) fn check_lost_reason(kind: StageKind, reason: Option<&str>) -> Result<()> {
    match (kind, reason) {
        (StageKind::Lost, None) => {
            Err(Invalid::field("lost_reason", "say why the lead was lost").into())
        }
        (StageKind::Open | StageKind::Won, Some(_)) => Err(Invalid::field(
            "lost_reason",
            "only a lead on a lost stage has a lost reason",
        )
        .into()),
        _ => Ok(()),
    }
}

pub async fn create(
    c: &mut Conn,
    org: OrgId,
    region: &str,
    actor: &Actor,
    input: &LeadInput,
) -> Result<Lead> {
    let mut errors = Invalid::default();
    let fields = input.validate(region).map_err(|e| errors.0.extend(e.0));
    let stage = placement(c, org, actor, input.pipeline_id, input.stage_id)
        .await
        .map_err(|e| match e {
            StoreError::Invalid(i) => {
                errors.0.extend(i.0);
                None
            }
            e => Some(e),
        });
    let stage = match stage {
        Ok(s) => Some(s),
        Err(Some(e)) => return Err(e),
        Err(None) => None,
    };
    if let Err(StoreError::Invalid(i)) = check_owner(c, org, input.owner_id).await {
        errors.0.extend(i.0);
    }
    let (Ok(fields), Some(stage)) = (fields, stage) else {
        return Err(errors.into());
    };
    errors.or_ok(())?;
    check_lost_reason(stage.kind, fields.lost_reason.as_deref())?;
    let id = insert(c, org, &fields, &stage, None).await?;
    let summary = format!("Lead {} created", fields.display_name());
    let changes = all_fields(&audited(&fields), true);
    record(c, org, actor, id, Shown::Lead, "created", summary, &changes).await?;
    get(c, org, id).await
}

/// Inserts a lead at the end of `stage`'s column; the caller records history.
pub(crate) async fn insert(
    c: &mut Conn,
    org: OrgId,
    fields: &LeadFields,
    stage: &Stage,
    customer: Option<CustomerId>,
) -> Result<LeadId> {
    lock_pipelines(c, org, &[stage.pipeline_id]).await?;
    let position = super::board::end_key(c, org, stage).await?;
    let now = now();
    let id = LeadId::new();
    let mut q = Query::insert();
    q.into_table(Leads::Table)
        .columns([
            Leads::Id,
            Leads::OrgId,
            Leads::PipelineId,
            Leads::StageId,
            Leads::Position,
            Leads::FirstName,
            Leads::LastName,
            Leads::BusinessName,
            Leads::Email,
            Leads::Phone,
            Leads::ServiceAddress,
            Leads::Source,
            Leads::OwnerId,
            Leads::ValueMinor,
            Leads::Currency,
            Leads::ExpectedCloseDate,
            Leads::Notes,
            Leads::LostReason,
            Leads::Score,
            Leads::ScoreBreakdown,
            Leads::CustomerId,
            Leads::WonAt,
            Leads::LostAt,
            Leads::StageEnteredAt,
            Leads::SearchText,
            Leads::Version,
            Leads::CreatedAt,
            Leads::UpdatedAt,
        ])
        .values_panic([
            id.0.into(),
            org.0.into(),
            stage.pipeline_id.0.into(),
            stage.id.0.into(),
            position.into(),
            fields.first_name.clone().into(),
            fields.last_name.clone().into(),
            fields.business_name.clone().into(),
            fields.email.clone().into(),
            fields.phone.clone().into(),
            fields.service_address.clone().into(),
            fields.source.as_str().into(),
            fields.owner_id.map(|o| o.0).into(),
            fields.value_minor.into(),
            fields.currency.clone().into(),
            fields.expected_close_date.into(),
            fields.notes.clone().into(),
            fields.lost_reason.clone().into(),
            0i64.into(),
            serde_json::json!([]).into(),
            customer.map(|c| c.0).into(),
            (stage.kind == StageKind::Won).then_some(now).into(),
            (stage.kind == StageKind::Lost).then_some(now).into(),
            now.into(),
            fields.search_text().into(),
            1i64.into(),
            now.into(),
            now.into(),
        ]);
    c.execute(&q).await?;
    super::board::log_stage_change(c, org, id, None, None, stage.id, now).await?;
    super::board::adjust_totals(c, org, stage.id, &fields.currency, 1, fields.value_minor).await?;
    Ok(id)
}

/// Applies a partial update if `patch.version` is still the stored version.
pub async fn update(
    c: &mut Conn,
    org: OrgId,
    region: &str,
    actor: &Actor,
    id: LeadId,
    patch: &LeadPatch,
) -> Result<Lead> {
    let current = get(c, org, id).await?;
    if current.version != patch.version {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let fields = current.fields.patched(patch, region)?;
    if fields.owner_id != current.fields.owner_id {
        check_owner(c, org, fields.owner_id).await?;
    }
    if fields.lost_reason != current.fields.lost_reason {
        let stage = stages::stage(c, org, current.stage_id).await?;
        check_lost_reason(stage.kind, fields.lost_reason.as_deref())?;
    }
    let changes = diff(&audited(&current.fields), &audited(&fields));
    if changes.is_empty() {
        return Ok(current);
    }
    let mut q = Query::update();
    q.table(Leads::Table)
        .values([
            (Leads::FirstName, fields.first_name.clone().into()),
            (Leads::LastName, fields.last_name.clone().into()),
            (Leads::BusinessName, fields.business_name.clone().into()),
            (Leads::Email, fields.email.clone().into()),
            (Leads::Phone, fields.phone.clone().into()),
            (Leads::ServiceAddress, fields.service_address.clone().into()),
            (Leads::Source, fields.source.as_str().into()),
            (Leads::OwnerId, fields.owner_id.map(|o| o.0).into()),
            (Leads::ValueMinor, fields.value_minor.into()),
            (Leads::Currency, fields.currency.clone().into()),
            (Leads::ExpectedCloseDate, fields.expected_close_date.into()),
            (Leads::Notes, fields.notes.clone().into()),
            (Leads::LostReason, fields.lost_reason.clone().into()),
            (Leads::SearchText, fields.search_text().into()),
            (Leads::Version, (current.version + 1).into()),
            (Leads::UpdatedAt, now().into()),
        ])
        .and_where(Expr::col(Leads::Id).eq(id.0))
        .and_where(Expr::col(Leads::OrgId).eq(org.0))
        .and_where(Expr::col(Leads::Version).eq(patch.version))
        .and_where(Expr::col(Leads::DeletedAt).is_null());
    if c.execute(&q).await? == 0 {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let old = &current.fields;
    if (old.value_minor, &old.currency) != (fields.value_minor, &fields.currency) {
        let stage = current.stage_id;
        super::board::adjust_totals(c, org, stage, &old.currency, -1, -old.value_minor).await?;
        super::board::adjust_totals(c, org, stage, &fields.currency, 1, fields.value_minor).await?;
    }
    let names: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
    let summary = format!("Changed {}", names.join(", ").replace('_', " "));
    record(c, org, actor, id, Shown::Lead, "updated", summary, &changes).await?;
    get(c, org, id).await
}

/// Soft-deletes a lead; the cards below it move up by counting.
pub async fn delete(c: &mut Conn, org: OrgId, actor: &Actor, id: LeadId) -> Result<()> {
    let current = lock_lead_pipelines(c, org, id, None).await?;
    let now = now();
    c.execute(&Raw(
        "UPDATE leads SET deleted_at = $1, version = version + 1, updated_at = $1 WHERE id = $2 AND org_id = $3",
        vec![now.into(), id.0.into(), org.0.into()],
    ))
    .await?;
    let f = &current.fields;
    super::board::adjust_totals(c, org, current.stage_id, &f.currency, -1, -f.value_minor).await?;
    let summary = format!("Lead {} deleted", current.display_name);
    record(c, org, actor, id, Shown::Lead, "deleted", summary, &[]).await
}
