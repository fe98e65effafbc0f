//! Pipelines: an organisation's sales funnels, one of them the default.

use super::{audit, lock_pipelines, stages};
use crate::orgs::now;
use crate::{Conn, Engine, Raw, Result, Row, StoreError};
use hearth_domain::history::{Actor, FieldChange};
use hearth_domain::leads::Pipeline;
use hearth_domain::leads::pipeline::{self, DEFAULT_PIPELINE_NAME, PipelineInput, PipelinePatch};
use hearth_domain::{Invalid, OrgId, PipelineId};
use serde_json::json;

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
            stages::stage_row,
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
    p.stages = stages::stages_of(c, org, id).await?;
    Ok(p)
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
        stages::insert_stage(c, org, id, stage_name, *kind, position as i64).await?;
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
