//! Pipelines and their ordered stages.

use crate::customers::clean_text;
use crate::{Invalid, PipelineId, StageId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether a lead on a stage is still being worked, won or lost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    #[default]
    Open,
    Won,
    Lost,
}

impl StageKind {
    pub const ALL: [StageKind; 3] = [StageKind::Open, StageKind::Won, StageKind::Lost];

    pub fn as_str(self) -> &'static str {
        match self {
            StageKind::Open => "open",
            StageKind::Won => "won",
            StageKind::Lost => "lost",
        }
    }

    pub fn parse(s: &str) -> Option<StageKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The pipeline an organisation gets on first use (seed 000, "Lead Pipeline").
pub const DEFAULT_PIPELINE_NAME: &str = "Sales";
pub const DEFAULT_STAGES: [(&str, StageKind); 6] = [
    ("New", StageKind::Open),
    ("Contacted", StageKind::Open),
    ("Quoted", StageKind::Open),
    ("Follow-up", StageKind::Open),
    ("Won", StageKind::Won),
    ("Lost", StageKind::Lost),
];

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Stage {
    pub id: StageId,
    pub pipeline_id: PipelineId,
    pub name: String,
    pub kind: StageKind,
    /// 0-based, dense within the pipeline.
    pub position: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Pipeline {
    pub id: PipelineId,
    pub name: String,
    /// New leads without a pipeline land in the default one.
    pub is_default: bool,
    pub version: i64,
    /// In board order.
    pub stages: Vec<Stage>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Pipeline {
    /// Where a lead without a stage starts: the first open stage.
    pub fn entry_stage(&self) -> Option<&Stage> {
        self.stages.iter().find(|s| s.kind == StageKind::Open)
    }

    /// Where a converted lead goes: the first won stage.
    pub fn won_stage(&self) -> Option<&Stage> {
        self.stages.iter().find(|s| s.kind == StageKind::Won)
    }

    pub fn stage(&self, id: StageId) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id == id)
    }
}

/// A new pipeline. Without `stages` it gets the default ones.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelineInput {
    #[schema(pattern = "\\S")]
    pub name: String,
    /// Make it the organisation's default pipeline.
    #[serde(default)]
    pub is_default: bool,
    pub stages: Option<Vec<NewStage>>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelinePatch {
    pub version: i64,
    #[schema(pattern = "\\S")]
    pub name: Option<String>,
    /// Only `true`: a pipeline stops being the default when another becomes it.
    pub is_default: Option<bool>,
}

/// A stage as a client adds it.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStage {
    #[schema(pattern = "\\S")]
    pub name: String,
    #[serde(default)]
    pub kind: StageKind,
    /// 0-based; absent or past the end appends the stage.
    pub position: Option<i64>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StagePatch {
    pub version: i64,
    #[schema(pattern = "\\S")]
    pub name: Option<String>,
    pub kind: Option<StageKind>,
    /// 0-based; the other stages shift to keep the order dense.
    pub position: Option<i64>,
}

const NAME_MAX: usize = 80;

/// A pipeline or stage name: trimmed, non-empty, short enough for a column header.
pub fn clean_name(field: &str, raw: &str) -> Result<String, Invalid> {
    let mut errors = Invalid::default();
    match clean_text(field, Some(raw), NAME_MAX, &mut errors) {
        Some(name) => Ok(name),
        None if errors.0.is_empty() => Err(Invalid::field(field, "is empty")),
        None => Err(errors),
    }
}

/// The stages of a new pipeline, validated as a whole.
pub fn new_stages(stages: Option<&[NewStage]>) -> Result<Vec<(String, StageKind)>, Invalid> {
    let Some(stages) = stages else {
        return Ok(DEFAULT_STAGES
            .iter()
            .map(|(n, k)| (n.to_string(), *k))
            .collect());
    };
    let mut errors = Invalid::default();
    let mut out: Vec<(String, StageKind)> = Vec::new();
    for (i, s) in stages.iter().enumerate() {
        let field = format!("stages[{i}].name");
        match clean_name(&field, &s.name) {
            Ok(name) if out.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) => {
                errors.push(field, "is the name of another stage of this pipeline")
            }
            Ok(name) => out.push((name, s.kind)),
            Err(e) => errors.0.extend(e.0),
        }
    }
    if stages.len() > 30 {
        errors.push("stages", "a pipeline has at most 30 stages");
    }
    if errors.0.is_empty() && !out.iter().any(|(_, k)| *k == StageKind::Open) {
        errors.push("stages", "a pipeline needs at least one open stage");
    }
    errors.or_ok(out)
}

/// Refuses a change that would leave a pipeline without an open stage.
pub fn keeps_an_open_stage(
    kinds_after: impl IntoIterator<Item = StageKind>,
    field: &str,
) -> Result<(), Invalid> {
    if kinds_after.into_iter().any(|k| k == StageKind::Open) {
        Ok(())
    } else {
        Err(Invalid::field(
            field,
            "a pipeline must keep at least one open stage",
        ))
    }
}

/// Clamps a requested 0-based position into `0..=max`.
pub fn clamp_position(requested: Option<i64>, max: i64) -> i64 {
    requested.unwrap_or(max).clamp(0, max.max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(name: &str, kind: StageKind) -> NewStage {
        NewStage {
            name: name.into(),
            kind,
            position: None,
        }
    }

    #[test]
    fn default_stages_follow_the_seed() {
        let stages = new_stages(None).unwrap();
        let names: Vec<_> = stages.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["New", "Contacted", "Quoted", "Follow-up", "Won", "Lost"]
        );
        assert_eq!(stages[4].1, StageKind::Won);
        assert_eq!(stages[5].1, StageKind::Lost);
    }

    #[test]
    fn a_pipeline_needs_an_open_stage_and_distinct_names() {
        let err = new_stages(Some(&[stage("Won", StageKind::Won)])).unwrap_err();
        assert_eq!(err.0[0].field, "stages");
        let err = new_stages(Some(&[
            stage("New", StageKind::Open),
            stage("new", StageKind::Open),
            stage(" ", StageKind::Open),
        ]))
        .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["stages[1].name", "stages[2].name"]);
    }

    #[test]
    fn positions_are_clamped() {
        assert_eq!(clamp_position(None, 4), 4);
        assert_eq!(clamp_position(Some(-3), 4), 0);
        assert_eq!(clamp_position(Some(99), 4), 4);
        assert_eq!(clamp_position(Some(2), 0), 0);
    }

    #[test]
    fn the_last_open_stage_is_kept() {
        assert!(keeps_an_open_stage([StageKind::Won, StageKind::Open], "kind").is_ok());
        assert!(keeps_an_open_stage([StageKind::Won, StageKind::Lost], "kind").is_err());
    }
}
