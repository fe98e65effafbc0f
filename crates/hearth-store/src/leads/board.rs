//! The Kanban board: columns of cards, and moving a card.
//!
//! Positions are dense per stage (0, 1, 2, …). A move closes the gap the
//! card leaves and opens one where it lands, in one transaction, after
//! locking the lead and then its pipelines (see the module above), so two
//! concurrent moves apply one after the other and never interleave.

use super::edit::{check_lost_reason, not_found_as};
use super::records::{self, COLUMNS, Leads, ListQuery};
use super::{Shown, lock_lead_pipelines, pipelines, record, stages};
use crate::orgs::now;
use crate::{Conn, Raw, Result};
use chrono::{DateTime, Utc};
use hearth_domain::history::{Actor, FieldChange};
use hearth_domain::leads::pipeline::clamp_position;
use hearth_domain::leads::report::Totals;
use hearth_domain::leads::{Lead, LeadMove, Pipeline, Stage, StageKind};
use hearth_domain::{LeadId, OrgId, PipelineId, StageId};
use sea_query::{Alias, Expr, ExprTrait, Func, Order, Query};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

/// One column: every matching lead counted and summed, the first cards shown.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BoardColumn {
    pub stage: Stage,
    pub count: i64,
    /// Deal value per currency.
    #[schema(value_type = std::collections::BTreeMap<String, i64>)]
    pub totals: Totals,
    /// In card order; at most the limit asked for.
    pub cards: Vec<Lead>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub pipeline: Pipeline,
    pub columns: Vec<BoardColumn>,
}

/// A pipeline's board, filtered like the lead list (owner, source, hot).
pub async fn board(
    c: &mut Conn,
    org: OrgId,
    pipeline_id: PipelineId,
    filters: &ListQuery,
    per_column: u64,
) -> Result<Board> {
    let pipeline = pipelines::get(c, org, pipeline_id).await?;
    let filters = ListQuery {
        pipeline_id: Some(pipeline_id),
        stage_id: None,
        ..filters.clone()
    };
    let unfiltered = filters.owner_id.is_none()
        && filters.source.is_none()
        && !filters.hot
        && filters.customer_id.is_none()
        && filters.q.as_deref().is_none_or(|q| q.trim().is_empty());
    let sums = if unfiltered {
        // The running totals: a few rows, however many leads there are.
        c.query(
            &Raw(
                "SELECT t.stage_id, t.currency, t.leads, t.value_minor FROM lead_stage_totals t \
                 JOIN pipeline_stages s ON s.id = t.stage_id \
                 WHERE t.org_id = $1 AND s.pipeline_id = $2 AND t.leads > 0",
                vec![org.0.into(), pipeline_id.0.into()],
            ),
            total_row,
        )
        .await?
    } else {
        let mut totals = Query::select();
        totals
            .column(Leads::StageId)
            .column(Leads::Currency)
            .expr(Func::count(Expr::col(Leads::Id)))
            // PostgreSQL sums bigints into numeric.
            .expr(Func::cast_as(
                Func::sum(Expr::col(Leads::ValueMinor)),
                Alias::new("BIGINT"),
            ))
            .from(Leads::Table)
            .group_by_col(Leads::StageId)
            .group_by_col(Leads::Currency);
        records::filter(&mut totals, org, &filters);
        c.query(&totals, total_row).await?
    };
    let mut columns = Vec::with_capacity(pipeline.stages.len());
    for stage in &pipeline.stages {
        let mut q = Query::select();
        q.columns(COLUMNS)
            .from(Leads::Table)
            .and_where(Expr::col(Leads::StageId).eq(stage.id.0))
            .order_by(Leads::Position, Order::Asc)
            .limit(per_column);
        records::filter(&mut q, org, &filters);
        let cards = c.query(&q, records::lead).await?;
        let mut column = BoardColumn {
            stage: stage.clone(),
            count: 0,
            totals: Totals::new(),
            cards,
        };
        for (_, currency, count, value) in sums.iter().filter(|s| s.0 == stage.id) {
            column.count += count;
            *column.totals.entry(currency.clone()).or_default() += value;
        }
        columns.push(column);
    }
    Ok(Board { pipeline, columns })
}

fn total_row(r: &crate::Row) -> Result<(StageId, String, i64, i64)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

/// Notes a lead's arrival on a stage, for time-in-stage reporting.
pub(crate) async fn log_stage_change(
    c: &mut Conn,
    org: OrgId,
    lead: LeadId,
    from: Option<StageId>,
    from_entered_at: Option<DateTime<Utc>>,
    to: StageId,
    at: DateTime<Utc>,
) -> Result<()> {
    c.execute(&Raw(
        "INSERT INTO lead_stage_changes (id, org_id, lead_id, from_stage_id, to_stage_id, from_entered_at, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        vec![
            Uuid::now_v7().into(),
            org.0.into(),
            lead.0.into(),
            from.map(|s| s.0).into(),
            to.0.into(),
            from_entered_at.into(),
            at.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Moves a card to a stage and place. Moving it where it already is
/// changes nothing.
pub async fn move_lead(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: LeadId,
    mv: &LeadMove,
) -> Result<Lead> {
    let reason = mv.reason()?;
    // The lead is the path: missing is 404; a bad stage is bad input (422).
    records::get(c, org, id).await?;
    let target = stages::stage(c, org, mv.stage_id)
        .await
        .map_err(|e| not_found_as(e, "stage_id", "is not a stage of this organisation"))?;
    let lead = lock_lead_pipelines(c, org, id, Some(target.pipeline_id)).await?;
    // Under the lock the stage may have gone meanwhile.
    let target = stages::stage(c, org, mv.stage_id)
        .await
        .map_err(|e| not_found_as(e, "stage_id", "is not a stage of this organisation"))?;
    place(c, org, actor, &lead, &target, mv.position, reason).await?;
    records::get(c, org, id).await
}

/// Puts a locked lead at `position` of `target` (both pipelines locked).
pub(crate) async fn place(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    lead: &Lead,
    target: &Stage,
    position: Option<i64>,
    reason: Option<String>,
) -> Result<()> {
    // Staying on a lost stage keeps the reason it was lost for.
    let reason = match (target.kind, reason) {
        (StageKind::Lost, None) if lead.stage_id == target.id => lead.fields.lost_reason.clone(),
        (_, r) => r,
    };
    check_lost_reason(target.kind, reason.as_deref())?;
    let now = now();
    if lead.stage_id == target.id {
        let last = stages::leads_on_stage(c, org, target).await? - 1;
        let to = clamp_position(Some(position.unwrap_or(last)), last);
        if to == lead.position && reason == lead.fields.lost_reason {
            return Ok(());
        }
        shift_within(c, org, target, lead.position, to).await?;
        c.execute(&Raw(
            "UPDATE leads SET position = $1, lost_reason = $2, version = version + 1, updated_at = $3 \
             WHERE id = $4 AND org_id = $5",
            vec![
                to.into(),
                reason.clone().into(),
                now.into(),
                lead.id.0.into(),
                org.0.into(),
            ],
        ))
        .await?;
        if reason != lead.fields.lost_reason {
            let fields = [FieldChange {
                field: "lost_reason".into(),
                before: json!(lead.fields.lost_reason),
                after: json!(reason),
            }];
            let summary = "Changed lost reason".to_string();
            return record(
                c,
                org,
                actor,
                lead.id,
                Shown::Lead,
                "updated",
                summary,
                &fields,
            )
            .await;
        }
        let fields = [FieldChange {
            field: "position".into(),
            before: json!(lead.position),
            after: json!(to),
        }];
        let summary = format!("Reordered to place {}", to + 1);
        return record(
            c,
            org,
            actor,
            lead.id,
            Shown::AuditOnly,
            "reordered",
            summary,
            &fields,
        )
        .await;
    }
    let end = stages::leads_on_stage(c, org, target).await?;
    let to = clamp_position(Some(position.unwrap_or(end)), end);
    c.execute(&Raw(
        "UPDATE leads SET position = position - 1 WHERE org_id = $1 AND pipeline_id = $2 \
         AND stage_id = $3 AND position > $4 AND deleted_at IS NULL",
        vec![
            org.0.into(),
            lead.pipeline_id.0.into(),
            lead.stage_id.0.into(),
            lead.position.into(),
        ],
    ))
    .await?;
    c.execute(&Raw(
        "UPDATE leads SET position = position + 1 WHERE org_id = $1 AND pipeline_id = $2 \
         AND stage_id = $3 AND position >= $4 AND deleted_at IS NULL",
        vec![
            org.0.into(),
            target.pipeline_id.0.into(),
            target.id.0.into(),
            to.into(),
        ],
    ))
    .await?;
    let won_at = (target.kind == StageKind::Won).then_some(now);
    let lost_at = (target.kind == StageKind::Lost).then_some(now);
    c.execute(&Raw(
        "UPDATE leads SET pipeline_id = $1, stage_id = $2, position = $3, stage_entered_at = $4, \
         won_at = $5, lost_at = $6, lost_reason = $7, version = version + 1, updated_at = $4 \
         WHERE id = $8 AND org_id = $9",
        vec![
            target.pipeline_id.0.into(),
            target.id.0.into(),
            to.into(),
            now.into(),
            won_at.into(),
            lost_at.into(),
            reason.clone().into(),
            lead.id.0.into(),
            org.0.into(),
        ],
    ))
    .await?;
    log_stage_change(
        c,
        org,
        lead.id,
        Some(lead.stage_id),
        Some(lead.stage_entered_at),
        target.id,
        now,
    )
    .await?;
    // After every lead row it writes, so a concurrent edit holding one of
    // those rows never waits on a totals row this transaction holds.
    let f = &lead.fields;
    adjust_totals(c, org, lead.stage_id, &f.currency, -1, -f.value_minor).await?;
    adjust_totals(c, org, target.id, &f.currency, 1, f.value_minor).await?;
    let from = stages::stage_any(c, org, lead.stage_id).await?;
    let mut fields = vec![FieldChange {
        field: "stage".into(),
        before: json!(from.name),
        after: json!(target.name),
    }];
    if reason != lead.fields.lost_reason {
        fields.push(FieldChange {
            field: "lost_reason".into(),
            before: json!(lead.fields.lost_reason),
            after: json!(reason),
        });
    }
    let (action, summary) = match target.kind {
        StageKind::Won => (
            "won",
            format!("Won (moved from {} to {})", from.name, target.name),
        ),
        StageKind::Lost => (
            "lost",
            format!("Lost: {}", reason.as_deref().unwrap_or_default()),
        ),
        StageKind::Open => (
            "moved",
            format!("Moved from {} to {}", from.name, target.name),
        ),
    };
    record(
        c,
        org,
        actor,
        lead.id,
        Shown::Lead,
        action,
        summary,
        &fields,
    )
    .await
}

/// Moves the cards between a card's old and new place in the same column.
async fn shift_within(c: &mut Conn, org: OrgId, stage: &Stage, from: i64, to: i64) -> Result<()> {
    let (sql, lo, hi) = if to < from {
        (
            "UPDATE leads SET position = position + 1 WHERE org_id = $1 AND pipeline_id = $2 \
             AND stage_id = $3 AND position >= $4 AND position < $5 AND deleted_at IS NULL",
            to,
            from,
        )
    } else {
        (
            "UPDATE leads SET position = position - 1 WHERE org_id = $1 AND pipeline_id = $2 \
             AND stage_id = $3 AND position > $4 AND position <= $5 AND deleted_at IS NULL",
            from,
            to,
        )
    };
    c.execute(&Raw(
        sql,
        vec![
            org.0.into(),
            stage.pipeline_id.0.into(),
            stage.id.0.into(),
            lo.into(),
            hi.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Adds to a stage's running count and value in one currency.
pub(crate) async fn adjust_totals(
    c: &mut Conn,
    org: OrgId,
    stage: StageId,
    currency: &str,
    leads: i64,
    value_minor: i64,
) -> Result<()> {
    c.execute(&Raw(
        "INSERT INTO lead_stage_totals (org_id, stage_id, currency, leads, value_minor) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (org_id, stage_id, currency) DO UPDATE \
         SET leads = lead_stage_totals.leads + $4, value_minor = lead_stage_totals.value_minor + $5",
        vec![
            org.0.into(),
            stage.0.into(),
            currency.into(),
            leads.into(),
            value_minor.into(),
        ],
    ))
    .await?;
    Ok(())
}
