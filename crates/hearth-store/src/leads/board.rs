//! The Kanban board: columns of cards, and moving a card.
//!
//! A card's place in its column is a sparse sort key (`leads.position`):
//! a moved card takes a key between its new neighbours', so a move writes
//! one row, not the column below it. Only when a gap is used up is the
//! column respaced. The API's `position` is the 0-based place, counted
//! (see `records::select`). Moves run after locking the lead and then its
//! pipelines (see the module above), so two concurrent moves apply one
//! after the other and never interleave.

use super::edit::{check_lost_reason, not_found_as};
use super::records::{self, Leads, ListQuery};
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
        // Unfiltered, a card's place is its index in the column.
        let mut q = records::select(!unfiltered);
        q.and_where(Expr::col(Leads::StageId).eq(stage.id.0))
            .order_by(Leads::Position, Order::Asc)
            .limit(per_column);
        records::filter(&mut q, org, &filters);
        let mut cards = c.query(&q, records::lead).await?;
        if unfiltered {
            for (place, card) in (0..).zip(cards.iter_mut()) {
                card.position = place;
            }
        }
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
    // Where the card lands depends on the column's length only up to the
    // place asked for (clamp_position).
    let at_most = position.map(|p: i64| Ord::max(p, 0) + 1);
    if lead.stage_id == target.id {
        let last = stages::leads_on_stage(c, org, target, at_most).await? - 1;
        let to = clamp_position(Some(position.unwrap_or(last)), last);
        if to == lead.position && reason == lead.fields.lost_reason {
            return Ok(());
        }
        let key = key_at(c, org, target, Some(lead.id), to).await?;
        c.execute(&Raw(
            "UPDATE leads SET position = $1, lost_reason = $2, version = version + 1, updated_at = $3 \
             WHERE id = $4 AND org_id = $5",
            vec![
                key.into(),
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
    let end = stages::leads_on_stage(c, org, target, at_most).await?;
    let to = clamp_position(Some(position.unwrap_or(end)), end);
    let key = key_at(c, org, target, None, to).await?;
    let won_at = (target.kind == StageKind::Won).then_some(now);
    let lost_at = (target.kind == StageKind::Lost).then_some(now);
    c.execute(&Raw(
        "UPDATE leads SET pipeline_id = $1, stage_id = $2, position = $3, stage_entered_at = $4, \
         won_at = $5, lost_at = $6, lost_reason = $7, version = version + 1, updated_at = $4 \
         WHERE id = $8 AND org_id = $9",
        vec![
            target.pipeline_id.0.into(),
            target.id.0.into(),
            key.into(),
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

/// Room between neighbouring keys: a card put between two others takes
/// the midpoint, so a column is respaced only after about 16 placements
/// into the same gap.
pub(crate) const GAP: i64 = 1 << 16;

/// The sort key for a card put at place `to` of `stage`'s column among the
/// cards other than `moving`, respacing the column first if the two
/// neighbours there have no key between them.
async fn key_at(
    c: &mut Conn,
    org: OrgId,
    stage: &Stage,
    moving: Option<LeadId>,
    to: i64,
) -> Result<i64> {
    let moving = moving.map_or(Uuid::nil(), |l| l.0);
    for _ in 0..2 {
        // The cards at places to - 1 and to, once the moving card is out.
        let around: Vec<i64> = c
            .query(
                &Raw(
                    "SELECT position FROM leads WHERE org_id = $1 AND pipeline_id = $2 \
                     AND stage_id = $3 AND deleted_at IS NULL AND id <> $4 \
                     ORDER BY position LIMIT $5 OFFSET $6",
                    vec![
                        org.0.into(),
                        stage.pipeline_id.0.into(),
                        stage.id.0.into(),
                        moving.into(),
                        if to == 0 { 1i64 } else { 2i64 }.into(),
                        Ord::max(to - 1, 0).into(),
                    ],
                ),
                |r| r.get(0),
            )
            .await?;
        let key = match (to, around.as_slice()) {
            (_, []) => Some(0),
            (0, [next, ..]) => next.checked_sub(GAP),
            (_, [prev]) => prev.checked_add(GAP),
            (_, [prev, next, ..]) => between(*prev, *next),
        };
        if let Some(key) = key {
            return Ok(key);
        }
        respace(c, org, stage).await?;
    }
    Err(crate::StoreError::Refused(
        "the column's card order could not be respaced".into(),
    ))
}

/// The sort key after the last card of `stage`'s column: an index probe.
pub(crate) async fn end_key(c: &mut Conn, org: OrgId, stage: &Stage) -> Result<i64> {
    c.query_one(
        &Raw(
            "SELECT COALESCE(MAX(position) + $4, 0) FROM leads \
             WHERE org_id = $1 AND pipeline_id = $2 AND stage_id = $3 AND deleted_at IS NULL",
            vec![
                org.0.into(),
                stage.pipeline_id.0.into(),
                stage.id.0.into(),
                GAP.into(),
            ],
        ),
        |r| r.get(0),
    )
    .await
}

/// A key strictly between two, if there is one.
fn between(prev: i64, next: i64) -> Option<i64> {
    let gap = next.checked_sub(prev)?;
    (gap >= 2).then(|| prev + gap / 2)
}

/// Spreads a column's keys `GAP` apart again, keeping the card order.
async fn respace(c: &mut Conn, org: OrgId, stage: &Stage) -> Result<()> {
    c.execute(&Raw(
        "UPDATE leads SET position = r.place * $4 FROM ( \
             SELECT id, ROW_NUMBER() OVER (ORDER BY position, id) AS place FROM leads \
             WHERE org_id = $1 AND pipeline_id = $2 AND stage_id = $3 AND deleted_at IS NULL \
         ) r WHERE leads.id = r.id",
        vec![
            org.0.into(),
            stage.pipeline_id.0.into(),
            stage.id.0.into(),
            GAP.into(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_between_two_is_strictly_inside_or_there_is_none() {
        assert_eq!(between(0, GAP), Some(GAP / 2));
        assert_eq!(between(-5, -1), Some(-3));
        assert_eq!(between(4, 6), Some(5));
        assert_eq!(between(4, 5), None);
        assert_eq!(between(4, 4), None);
        assert_eq!(between(i64::MIN, i64::MAX), None, "overflow is no room");
    }
}
