//! Pipelines and their ordered stages. Stage positions are dense (0, 1, 2, …)
//! within a pipeline; every reorder shifts the neighbours in the same
//! transaction, under the pipeline's lock.

use super::{audit, lock_pipelines};
use crate::orgs::now;
use crate::{Conn, Engine, Raw, Result, Row, StoreError};
use hearth_domain::history::{Actor, FieldChange};
use hearth_domain::leads::pipeline::{
    self, DEFAULT_PIPELINE_NAME, NewStage, PipelineInput, PipelinePatch, StagePatch,
};
use hearth_domain::leads::{Pipeline, Stage, StageKind};
use hearth_domain::{Invalid, OrgId, PipelineId, StageId};
use serde_json::json;

fn stage_row(r: &Row) -> Result<Stage> {
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

fn pipeline_row(r: &Row) -> Result<Pipeline> {
    Ok(Pipeline {
        id: r.get(0)?,
        name: r.get(1)?,
        is_default: r.get(2)?,
        version: r.get(3)?,
        stages: Vec::new(),
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

/// Every live pipeline, the default first, each with its stages in order.
pub async fn list(c: &mut Conn, org: OrgId) -> Result<Vec<Pipeline>> {
    let mut pipelines = c
        .query(
            &Raw(
                "SELECT id, name, is_default, version, created_at, updated_at FROM pipelines \
                 WHERE org_id = $1 AND deleted_at IS NULL ORDER BY is_default DESC, created_at, id",
                vec![org.0.into()],
            ),
            pipeline_row,
        )
        .await?;
    let stages = c
        .query(
            &Raw(
                "SELECT id, pipeline_id, name, kind, position, version, created_at, updated_at \
                 FROM pipeline_stages WHERE org_id = $1 AND deleted_at IS NULL ORDER BY position",
                vec![org.0.into()],
            ),
            stage_row,
        )
        .await?;
    for p in &mut pipelines {
        p.stages = stages
            .iter()
            .filter(|s| s.pipeline_id == p.id)
            .cloned()
            .collect();
    }
    Ok(pipelines)
}

/// A live pipeline with its stages.
pub async fn get(c: &mut Conn, org: OrgId, id: PipelineId) -> Result<Pipeline> {
    let mut p = c
        .query_one(
            &Raw(
                "SELECT id, name, is_default, version, created_at, updated_at FROM pipelines \
                 WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL",
                vec![id.0.into(), org.0.into()],
            ),
            pipeline_row,
        )
        .await?;
    p.stages = stages_of(c, org, id).await?;
    Ok(p)
}

async fn stages_of(c: &mut Conn, org: OrgId, pipeline: PipelineId) -> Result<Vec<Stage>> {
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

/// The organisation's default pipeline, if it has been set up.
pub async fn find_default(c: &mut Conn, org: OrgId) -> Result<Option<Pipeline>> {
    let id = c
        .query_opt(
            &Raw(
                "SELECT id FROM pipelines WHERE org_id = $1 AND is_default = $2 AND deleted_at IS NULL",
                vec![org.0.into(), true.into()],
            ),
            |r| r.get::<PipelineId>(0),
        )
        .await?;
    match id {
        Some(id) => get(c, org, id).await.map(Some),
        None => Ok(None),
    }
}

/// The default pipeline, created with the standard stages on first use.
pub async fn default_pipeline(c: &mut Conn, org: OrgId, actor: &Actor) -> Result<Pipeline> {
    if let Some(p) = find_default(c, org).await? {
        return Ok(p);
    }
    // Two first uses at once must not make two defaults: serialise on the
    // org row (NO KEY so inserts that reference the org are not blocked).
    if c.engine() == Engine::Postgres {
        c.execute(&Raw(
            "SELECT id FROM orgs WHERE id = $1 FOR NO KEY UPDATE",
            vec![org.0.into()],
        ))
        .await?;
        if let Some(p) = find_default(c, org).await? {
            return Ok(p);
        }
    }
    let input = PipelineInput {
        name: DEFAULT_PIPELINE_NAME.to_string(),
        is_default: true,
        stages: None,
    };
    create(c, org, actor, &input).await
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

pub async fn create(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    input: &PipelineInput,
) -> Result<Pipeline> {
    let mut errors = Invalid::default();
    let name = pipeline::clean_name("name", &input.name).map_err(|e| errors.0.extend(e.0));
    let stages = pipeline::new_stages(input.stages.as_deref()).map_err(|e| errors.0.extend(e.0));
    let (Ok(name), Ok(stages)) = (name, stages) else {
        return Err(errors.into());
    };
    let exists = c
        .query_opt(
            &Raw(
                "SELECT id FROM pipelines WHERE org_id = $1 AND deleted_at IS NULL LIMIT 1",
                vec![org.0.into()],
            ),
            |r| r.get::<PipelineId>(0),
        )
        .await?;
    // The first pipeline is the default whatever was asked.
    let is_default = input.is_default || exists.is_none();
    if is_default {
        clear_default(c, org).await?;
    }
    let now = now();
    let id = PipelineId::new();
    c.execute(&Raw(
        "INSERT INTO pipelines (id, org_id, name, is_default, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 1, $5, $5)",
        vec![
            id.0.into(),
            org.0.into(),
            name.clone().into(),
            is_default.into(),
            now.into(),
        ],
    ))
    .await?;
    for (position, (stage_name, kind)) in stages.iter().enumerate() {
        insert_stage(c, org, id, stage_name, *kind, position as i64).await?;
    }
    let fields = vec![
        FieldChange {
            field: "name".into(),
            before: json!(null),
            after: json!(name),
        },
        FieldChange {
            field: "stages".into(),
            before: json!(null),
            after: json!(stages.iter().map(|(n, _)| n).collect::<Vec<_>>()),
        },
    ];
    let summary = format!("Pipeline {name} created");
    audit(c, org, actor, "pipeline", id.0, "created", summary, &fields).await?;
    get(c, org, id).await
}

async fn clear_default(c: &mut Conn, org: OrgId) -> Result<()> {
    c.execute(&Raw(
        "UPDATE pipelines SET is_default = $1, version = version + 1, updated_at = $2 \
         WHERE org_id = $3 AND is_default = $4 AND deleted_at IS NULL",
        vec![false.into(), now().into(), org.0.into(), true.into()],
    ))
    .await?;
    Ok(())
}

async fn insert_stage(
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

pub async fn update(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: PipelineId,
    patch: &PipelinePatch,
) -> Result<Pipeline> {
    let current = get(c, org, id).await?;
    if current.version != patch.version {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let name = match &patch.name {
        Some(n) => pipeline::clean_name("name", n)?,
        None => current.name.clone(),
    };
    if patch.is_default == Some(false) && current.is_default {
        return Err(
            Invalid::field("is_default", "make another pipeline the default instead").into(),
        );
    }
    let make_default = patch.is_default == Some(true) && !current.is_default;
    let mut fields = Vec::new();
    if name != current.name {
        fields.push(FieldChange {
            field: "name".into(),
            before: json!(current.name),
            after: json!(name),
        });
    }
    if make_default {
        fields.push(FieldChange {
            field: "is_default".into(),
            before: json!(false),
            after: json!(true),
        });
        clear_default(c, org).await?;
    }
    if fields.is_empty() {
        return Ok(current);
    }
    c.execute(&Raw(
        "UPDATE pipelines SET name = $1, is_default = $2, version = version + 1, updated_at = $3 \
         WHERE id = $4 AND org_id = $5",
        vec![
            name.clone().into(),
            (current.is_default || make_default).into(),
            now().into(),
            id.0.into(),
            org.0.into(),
        ],
    ))
    .await?;
    let summary = format!("Pipeline {name} changed");
    audit(c, org, actor, "pipeline", id.0, "updated", summary, &fields).await?;
    get(c, org, id).await
}

/// Deletes an empty pipeline that is not the default and no form posts to.
pub async fn delete(c: &mut Conn, org: OrgId, actor: &Actor, id: PipelineId) -> Result<()> {
    lock_pipelines(c, org, &[id]).await?;
    let current = get(c, org, id).await?;
    if current.is_default {
        return Err(StoreError::Refused(
            "this is the default pipeline: make another pipeline the default first".into(),
        ));
    }
    let leads = count(
        c,
        "SELECT COUNT(*) FROM leads WHERE org_id = $1 AND pipeline_id = $2 AND deleted_at IS NULL",
        org,
        id.0,
    )
    .await?;
    if leads > 0 {
        return Err(StoreError::Refused(format!(
            "move the {leads} leads on this pipeline first"
        )));
    }
    let forms = count(
        c,
        "SELECT COUNT(*) FROM lead_forms WHERE org_id = $1 AND pipeline_id = $2 AND deleted_at IS NULL",
        org,
        id.0,
    )
    .await?;
    if forms > 0 {
        return Err(StoreError::Refused(format!(
            "{forms} web forms post into this pipeline: point them at another pipeline first"
        )));
    }
    let now = now();
    for sql in [
        "UPDATE pipelines SET deleted_at = $1, version = version + 1, updated_at = $1 WHERE id = $2 AND org_id = $3",
        "UPDATE pipeline_stages SET deleted_at = $1, updated_at = $1 WHERE pipeline_id = $2 AND org_id = $3 AND deleted_at IS NULL",
    ] {
        c.execute(&Raw(sql, vec![now.into(), id.0.into(), org.0.into()]))
            .await?;
    }
    let summary = format!("Pipeline {} deleted", current.name);
    audit(c, org, actor, "pipeline", id.0, "deleted", summary, &[]).await
}

async fn count(c: &mut Conn, sql: &'static str, org: OrgId, id: uuid::Uuid) -> Result<i64> {
    c.query_one(&Raw(sql, vec![org.0.into(), id.into()]), |r| r.get(0))
        .await
}

/// Live leads on a stage. Positions are dense, so this is the last
/// position plus one: an index probe, not a count.
pub async fn leads_on_stage(c: &mut Conn, org: OrgId, stage: &Stage) -> Result<i64> {
    c.query_one(
        &Raw(
            "SELECT COALESCE(MAX(position) + 1, 0) FROM leads \
             WHERE org_id = $1 AND pipeline_id = $2 AND stage_id = $3 AND deleted_at IS NULL",
            vec![org.0.into(), stage.pipeline_id.0.into(), stage.id.0.into()],
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
    let p = get(c, org, pipeline_id).await?;
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
        let leads = leads_on_stage(c, org, &current).await?;
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
    let leads = leads_on_stage(c, org, &current).await?;
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
