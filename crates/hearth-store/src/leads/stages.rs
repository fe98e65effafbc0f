//! The ordered stages of a pipeline. Positions are dense (0, 1, 2, …)
//! within a pipeline; every reorder shifts the neighbours in the same
//! transaction, under the pipeline's lock.

use super::{audit, lock_pipelines, pipelines};
use crate::orgs::now;
use crate::{Conn, Raw, Result, Row, StoreError};
use hearth_domain::history::{Actor, FieldChange};
use hearth_domain::leads::pipeline::{self, NewStage, StagePatch};
use hearth_domain::leads::{Stage, StageKind};
use hearth_domain::{Invalid, OrgId, PipelineId, StageId};
use serde_json::json;

pub(crate) fn stage_row(r: &Row) -> Result<Stage> {
    let kind: String = r.get(3)?;
    Ok(Stage {
        id: r.get(0)?,
        pipeline_id: r.get(1)?,
        name: r.get(2)?,
        kind: StageKind::parse(&kind).unwrap_or_default(),
        position: r.get(4)?,
        version: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
    })
}

pub(crate) async fn stages_of(
    c: &mut Conn,
    org: OrgId,
    pipeline: PipelineId,
) -> Result<Vec<Stage>> {
    c.query(
        &Raw(
            "SELECT id, pipeline_id, name, kind, position, version, created_at, updated_at \
             FROM pipeline_stages WHERE org_id = $1 AND pipeline_id = $2 AND deleted_at IS NULL \
             ORDER BY position",
            vec![org.0.into(), pipeline.0.into()],
        ),
        stage_row,
    )
    .await
}

/// A stage of a live pipeline.
pub async fn stage(c: &mut Conn, org: OrgId, id: StageId) -> Result<Stage> {
    c.query_one(
        &Raw(
            "SELECT s.id, s.pipeline_id, s.name, s.kind, s.position, s.version, s.created_at, s.updated_at \
             FROM pipeline_stages s JOIN pipelines p ON p.id = s.pipeline_id \
             WHERE s.id = $1 AND s.org_id = $2 AND s.deleted_at IS NULL AND p.deleted_at IS NULL",
            vec![id.0.into(), org.0.into()],
        ),
        stage_row,
    )
    .await
}

/// A stage even if deleted (history shows where a lead was).
pub async fn stage_any(c: &mut Conn, org: OrgId, id: StageId) -> Result<Stage> {
    c.query_one(
        &Raw(
            "SELECT id, pipeline_id, name, kind, position, version, created_at, updated_at \
             FROM pipeline_stages WHERE id = $1 AND org_id = $2",
            vec![id.0.into(), org.0.into()],
        ),
        stage_row,
    )
    .await
}

pub(crate) async fn insert_stage(
    c: &mut Conn,
    org: OrgId,
    pipeline: PipelineId,
    name: &str,
    kind: StageKind,
    position: i64,
) -> Result<StageId> {
    let id = StageId::new();
    c.execute(&Raw(
        "INSERT INTO pipeline_stages (id, org_id, pipeline_id, name, kind, position, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)",
        vec![
            id.0.into(),
            org.0.into(),
            pipeline.0.into(),
            name.into(),
            kind.as_str().into(),
            position.into(),
            now().into(),
        ],
    ))
    .await?;
    Ok(id)
}

/// Live leads on a stage, counted on the covering index `leads_board`, but
/// no further than `at_most`: placing a card only needs to know whether
/// the column reaches the place asked for, and counting a whole column of
/// 30,000 cards was 80 % of a move's CPU.
pub async fn leads_on_stage(
    c: &mut Conn,
    org: OrgId,
    stage: &Stage,
    at_most: Option<i64>,
) -> Result<i64> {
    c.query_one(
        &Raw(
            "SELECT COUNT(*) FROM (SELECT 1 FROM leads \
             WHERE org_id = $1 AND pipeline_id = $2 AND stage_id = $3 AND deleted_at IS NULL \
             LIMIT $4) AS on_stage",
            vec![
                org.0.into(),
                stage.pipeline_id.0.into(),
                stage.id.0.into(),
                at_most.unwrap_or(i64::MAX).into(),
            ],
        ),
        |r| r.get(0),
    )
    .await
}

fn no_duplicate_name(stages: &[Stage], except: Option<StageId>, name: &str) -> Result<()> {
    if stages
        .iter()
        .any(|s| Some(s.id) != except && s.name.eq_ignore_ascii_case(name))
    {
        return Err(Invalid::field("name", "is the name of another stage of this pipeline").into());
    }
    Ok(())
}

pub async fn add_stage(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    pipeline_id: PipelineId,
    input: &NewStage,
) -> Result<Stage> {
    lock_pipelines(c, org, &[pipeline_id]).await?;
    let p = pipelines::get(c, org, pipeline_id).await?;
    let name = pipeline::clean_name("name", &input.name)?;
    no_duplicate_name(&p.stages, None, &name)?;
    if p.stages.len() >= 30 {
        return Err(Invalid::field("name", "a pipeline has at most 30 stages").into());
    }
    let end = p.stages.len() as i64;
    let position = pipeline::clamp_position(input.position, end);
    c.execute(&Raw(
        "UPDATE pipeline_stages SET position = position + 1 \
         WHERE org_id = $1 AND pipeline_id = $2 AND position >= $3 AND deleted_at IS NULL",
        vec![org.0.into(), pipeline_id.0.into(), position.into()],
    ))
    .await?;
    let id = insert_stage(c, org, pipeline_id, &name, input.kind, position).await?;
    let fields = [FieldChange {
        field: "name".into(),
        before: json!(null),
        after: json!(name),
    }];
    let summary = format!("Stage {name} added to {}", p.name);
    audit(c, org, actor, "stage", id.0, "created", summary, &fields).await?;
    stage(c, org, id).await
}

pub async fn update_stage(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: StageId,
    patch: &StagePatch,
) -> Result<Stage> {
    let found = stage(c, org, id).await?;
    lock_pipelines(c, org, &[found.pipeline_id]).await?;
    let current = stage(c, org, id).await?;
    if current.version != patch.version {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let siblings = stages_of(c, org, current.pipeline_id).await?;
    let name = match &patch.name {
        Some(n) => pipeline::clean_name("name", n)?,
        None => current.name.clone(),
    };
    no_duplicate_name(&siblings, Some(id), &name)?;
    let kind = patch.kind.unwrap_or(current.kind);
    if kind != current.kind {
        pipeline::keeps_an_open_stage(
            siblings
                .iter()
                .map(|s| if s.id == id { kind } else { s.kind }),
            "kind",
        )?;
        let leads = leads_on_stage(c, org, &current, None).await?;
        if leads > 0 {
            return Err(StoreError::Refused(format!(
                "move the {leads} leads on this stage first: a stage's kind changes only when it is empty"
            )));
        }
    }
    let last = siblings.len() as i64 - 1;
    let position = pipeline::clamp_position(Some(patch.position.unwrap_or(current.position)), last);
    let mut fields = Vec::new();
    for (field, before, after) in [
        ("name", json!(current.name), json!(name)),
        ("kind", json!(current.kind), json!(kind)),
        ("position", json!(current.position), json!(position)),
    ] {
        if before != after {
            fields.push(FieldChange {
                field: field.into(),
                before,
                after,
            });
        }
    }
    if fields.is_empty() {
        return Ok(current);
    }
    if position != current.position {
        shift_stages(c, org, current.pipeline_id, current.position, position).await?;
    }
    c.execute(&Raw(
        "UPDATE pipeline_stages SET name = $1, kind = $2, position = $3, version = version + 1, updated_at = $4 \
         WHERE id = $5 AND org_id = $6",
        vec![
            name.clone().into(),
            kind.as_str().into(),
            position.into(),
            now().into(),
            id.0.into(),
            org.0.into(),
        ],
    ))
    .await?;
    let summary = format!("Stage {name} changed");
    audit(c, org, actor, "stage", id.0, "updated", summary, &fields).await?;
    stage(c, org, id).await
}

/// Makes room at `to` for the stage leaving `from` (same pipeline).
async fn shift_stages(
    c: &mut Conn,
    org: OrgId,
    pipeline: PipelineId,
    from: i64,
    to: i64,
) -> Result<()> {
    let (sql, lo, hi) = if to < from {
        (
            "UPDATE pipeline_stages SET position = position + 1 WHERE org_id = $1 AND pipeline_id = $2 \
             AND position >= $3 AND position < $4 AND deleted_at IS NULL",
            to,
            from,
        )
    } else {
        (
            "UPDATE pipeline_stages SET position = position - 1 WHERE org_id = $1 AND pipeline_id = $2 \
             AND position > $3 AND position <= $4 AND deleted_at IS NULL",
            from,
            to,
        )
    };
    c.execute(&Raw(
        sql,
        vec![org.0.into(), pipeline.0.into(), lo.into(), hi.into()],
    ))
    .await?;
    Ok(())
}

/// Deletes an empty stage; the pipeline keeps at least one open stage.
pub async fn delete_stage(c: &mut Conn, org: OrgId, actor: &Actor, id: StageId) -> Result<()> {
    let found = stage(c, org, id).await?;
    lock_pipelines(c, org, &[found.pipeline_id]).await?;
    let current = stage(c, org, id).await?;
    let leads = leads_on_stage(c, org, &current, None).await?;
    if leads > 0 {
        return Err(StoreError::Refused(format!(
            "move the {leads} leads on this stage first"
        )));
    }
    let siblings = stages_of(c, org, current.pipeline_id).await?;
    if pipeline::keeps_an_open_stage(
        siblings.iter().filter(|s| s.id != id).map(|s| s.kind),
        "kind",
    )
    .is_err()
    {
        return Err(StoreError::Refused(
            "a pipeline must keep at least one open stage".into(),
        ));
    }
    let now = now();
    c.execute(&Raw(
        "UPDATE pipeline_stages SET deleted_at = $1, version = version + 1, updated_at = $1 WHERE id = $2 AND org_id = $3",
        vec![now.into(), id.0.into(), org.0.into()],
    ))
    .await?;
    c.execute(&Raw(
        "UPDATE pipeline_stages SET position = position - 1 WHERE org_id = $1 AND pipeline_id = $2 \
         AND position > $3 AND deleted_at IS NULL",
        vec![
            org.0.into(),
            current.pipeline_id.0.into(),
            current.position.into(),
        ],
    ))
    .await?;
    let summary = format!("Stage {} deleted", current.name);
    audit(c, org, actor, "stage", id.0, "deleted", summary, &[]).await
}
