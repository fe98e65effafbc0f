//! Leads from CSV: each placed at the end of its stage's column (sparse
//! sort keys, `GAP` apart, as the board gives), counted in the stage
//! totals, tagged, with an arrival on its stage and a timeline entry, all
//! marked with the import.

use super::{Target, Writing};
use crate::bulk::{self, NewEvent, Timeline};
use crate::leads::board::{GAP, adjust_totals, end_key};
use crate::leads::{check_lost_reason, lock_pipelines, pipelines};
use crate::search::{Dynamic, placeholders};
use crate::{Conn, Raw, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_domain::history::Actor;
use hearth_domain::import::leads::validate_row;
use hearth_domain::import::{ColumnMap, LeadRow, Problem};
use hearth_domain::leads::pipeline::{DEFAULT_PIPELINE_NAME, DEFAULT_STAGES};
use hearth_domain::leads::{Pipeline, Stage, StageKind};
use hearth_domain::{ImportId, LeadId, OrgId, PipelineId, StageId, UserId, tags::name_key};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

pub(super) struct Leads {
    /// Every live pipeline, the default first.
    pipelines: Vec<Pipeline>,
    /// Active users by email, as rows name them.
    owners: HashMap<String, UserId>,
    /// Pipelines locked by this transaction.
    locked: HashSet<PipelineId>,
    /// The next free sort key at the end of each stage's column.
    next_key: HashMap<StageId, i64>,
}

impl Leads {
    /// The organisation's pipelines; a run (`actor` given) first sets up
    /// the default one if it never was, as a first lead would. A dry run
    /// writes nothing, so it checks rows against the pipeline a run would
    /// set up.
    pub(super) async fn load(c: &mut Conn, org: OrgId, actor: Option<&Actor>) -> Result<Leads> {
        if let Some(actor) = actor {
            pipelines::default_pipeline(c, org, actor).await?;
        }
        let mut pipelines = pipelines::list(c, org).await?;
        if !pipelines.iter().any(|p| p.is_default) {
            pipelines.insert(0, standard_pipeline());
        }
        Ok(Leads {
            pipelines,
            owners: HashMap::new(),
            locked: HashSet::new(),
            next_key: HashMap::new(),
        })
    }

    /// The stage a row goes on: the named stage (or the first open one) of
    /// the named pipeline (or the default), names in any case.
    fn stage(&self, row: &LeadRow) -> std::result::Result<&Stage, Problem> {
        let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
        let pipeline = match &row.pipeline {
            Some(name) => self
                .pipelines
                .iter()
                .find(|p| same(&p.name, name))
                .ok_or_else(|| {
                    Problem::new(
                        row.line,
                        "pipeline",
                        format!("no pipeline is called “{name}”"),
                    )
                })?,
            None => self
                .pipelines
                .iter()
                .find(|p| p.is_default)
                .ok_or_else(|| {
                    Problem::new(row.line, "pipeline", "there is no default pipeline")
                })?,
        };
        match &row.stage {
            Some(name) => pipeline
                .stages
                .iter()
                .find(|s| same(&s.name, name))
                .ok_or_else(|| {
                    Problem::new(
                        row.line,
                        "stage",
                        format!("pipeline “{}” has no stage called “{name}”", pipeline.name),
                    )
                }),
            None => pipeline
                .entry_stage()
                .ok_or_else(|| Problem::new(row.line, "stage", "the pipeline has no open stage")),
        }
    }

    /// Finds the owners the rows name that are not known yet.
    async fn find_owners(&mut self, c: &mut Conn, org: OrgId, rows: &[LeadRow]) -> Result<()> {
        let mut wanted: Vec<String> = rows
            .iter()
            .filter_map(|r| r.owner.clone())
            .filter(|o| !self.owners.contains_key(o))
            .collect();
        wanted.sort();
        wanted.dedup();
        if wanted.is_empty() {
            return Ok(());
        }
        let mut params: Vec<sea_query::Value> = vec![org.0.into()];
        params.extend(wanted.into_iter().map(sea_query::Value::from));
        let sql = format!(
            "SELECT email, id FROM users WHERE org_id = $1 AND disabled_at IS NULL AND email IN ({})",
            placeholders(2, params.len() - 1)
        );
        let found = c
            .query(&Dynamic(sql, params), |r| {
                Ok((r.get::<String>(0)?, r.get::<UserId>(1)?))
            })
            .await?;
        self.owners.extend(found);
        Ok(())
    }

    /// The sort key for the next card at the end of `stage`'s column. The
    /// pipeline is locked before its first key is read, so no concurrent
    /// move takes the same keys (see the leads module).
    async fn key(&mut self, c: &mut Conn, org: OrgId, stage: &Stage) -> Result<i64> {
        if let Some(key) = self.next_key.get_mut(&stage.id) {
            *key += GAP;
            return Ok(*key);
        }
        if self.locked.insert(stage.pipeline_id) {
            lock_pipelines(c, org, &[stage.pipeline_id]).await?;
        }
        let key = end_key(c, org, stage).await?;
        self.next_key.insert(stage.id, key);
        Ok(key)
    }
}

/// The default pipeline as a first lead would set it up.
fn standard_pipeline() -> Pipeline {
    let id = PipelineId::new();
    let at = crate::orgs::now();
    let stages = DEFAULT_STAGES
        .iter()
        .zip(0..)
        .map(|((name, kind), position)| Stage {
            id: StageId::new(),
            pipeline_id: id,
            name: name.to_string(),
            kind: *kind,
            position,
            version: 1,
            created_at: at,
            updated_at: at,
        })
        .collect();
    Pipeline {
        id,
        name: DEFAULT_PIPELINE_NAME.to_string(),
        is_default: true,
        version: 1,
        stages,
        created_at: at,
        updated_at: at,
    }
}

impl Target for Leads {
    type Row = LeadRow;
    /// A lead who is already a customer is not a new lead either.
    const DUPLICATES: &'static [(&'static str, &'static str)] =
        &[("leads", "lead"), ("customers", "customer")];

    fn validate(
        &self,
        map: &ColumnMap,
        cells: &[&str],
        line: u64,
        region: &str,
        _: NaiveDate,
    ) -> std::result::Result<LeadRow, Vec<Problem>> {
        validate_row(map, cells, line, region)
    }

    async fn resolve(
        &mut self,
        c: &mut Conn,
        org: OrgId,
        rows: &[LeadRow],
        problems: &mut Vec<Problem>,
    ) -> Result<()> {
        self.find_owners(c, org, rows).await?;
        for row in rows {
            if let Some(owner) = &row.owner
                && !self.owners.contains_key(owner)
            {
                problems.push(Problem::new(
                    row.line,
                    "owner",
                    "no active user of this organisation has this email",
                ));
            }
            match self.stage(row) {
                Ok(stage) => {
                    if let Err(StoreError::Invalid(why)) =
                        check_lost_reason(stage.kind, row.lead.lost_reason.as_deref())
                    {
                        for f in why.0 {
                            problems.push(Problem::new(row.line, f.field, f.message));
                        }
                    }
                }
                Err(problem) => problems.push(problem),
            }
        }
        Ok(())
    }

    async fn insert(
        &mut self,
        c: &mut Conn,
        org: OrgId,
        writing: &Writing,
        rows: Vec<LeadRow>,
        tags: &BTreeMap<String, Uuid>,
    ) -> Result<()> {
        let at = writing.at;
        let mut leads = Vec::with_capacity(rows.len());
        let mut arrivals = Vec::with_capacity(rows.len());
        let mut links = Vec::new();
        let mut events = Vec::with_capacity(rows.len());
        let mut totals: BTreeMap<(StageId, String), (i64, i64)> = BTreeMap::new();
        for row in rows {
            let stage = self
                .stage(&row)
                .map_err(|p| hearth_domain::Invalid::field(p.field, p.message))?
                .clone();
            let position = self.key(c, org, &stage).await?;
            let id = LeadId::new();
            let f = &row.lead;
            let owner = row.owner.as_ref().and_then(|o| self.owners.get(o));
            leads.push(vec![
                id.0.into(),
                org.0.into(),
                stage.pipeline_id.0.into(),
                stage.id.0.into(),
                position.into(),
                f.first_name.clone().into(),
                f.last_name.clone().into(),
                f.business_name.clone().into(),
                f.email.clone().into(),
                f.phone.clone().into(),
                f.service_address.clone().into(),
                f.source.as_str().into(),
                owner.map(|o| o.0).into(),
                f.value_minor.into(),
                f.currency.clone().into(),
                f.expected_close_date.into(),
                f.notes.clone().into(),
                f.lost_reason.clone().into(),
                0i64.into(),
                serde_json::json!([]).into(),
                (stage.kind == StageKind::Won).then_some(at).into(),
                (stage.kind == StageKind::Lost).then_some(at).into(),
                at.into(),
                f.search_text().into(),
                1i64.into(),
                at.into(),
                at.into(),
                writing.import.0.into(),
            ]);
            arrivals.push(vec![
                Uuid::now_v7().into(),
                org.0.into(),
                id.0.into(),
                stage.id.0.into(),
                at.into(),
            ]);
            for t in &row.tags {
                if let Some(tag) = tags.get(&name_key(t)) {
                    links.push(vec![org.0.into(), id.0.into(), (*tag).into(), at.into()]);
                }
            }
            let total = totals.entry((stage.id, f.currency.clone())).or_default();
            *total = (total.0 + 1, total.1 + f.value_minor);
            events.push(NewEvent {
                on: Timeline::Lead(id),
                kind: "lead",
                action: "lead.imported",
                summary: format!("Lead {} imported from CSV", f.display_name()),
                at,
            });
        }
        let columns = [
            "id",
            "org_id",
            "pipeline_id",
            "stage_id",
            "position",
            "first_name",
            "last_name",
            "business_name",
            "email",
            "phone",
            "service_address",
            "source",
            "owner_id",
            "value_minor",
            "currency",
            "expected_close_date",
            "notes",
            "lost_reason",
            "score",
            "score_breakdown",
            "won_at",
            "lost_at",
            "stage_entered_at",
            "search_text",
            "version",
            "created_at",
            "updated_at",
            "import_id",
        ];
        bulk::insert_rows(c, "leads", &columns, leads).await?;
        let columns = ["id", "org_id", "lead_id", "to_stage_id", "at"];
        bulk::insert_rows(c, "lead_stage_changes", &columns, arrivals).await?;
        let columns = ["org_id", "lead_id", "tag_id", "added_at"];
        bulk::insert_rows(c, "lead_tags", &columns, links).await?;
        for ((stage, currency), (count, value)) in totals {
            adjust_totals(c, org, stage, &currency, count, value).await?;
        }
        bulk::insert_events(c, org, &writing.actor, &events).await
    }
}

/// Sends an import's leads to the bin and takes them off their stages'
/// totals; returns how many.
pub(super) async fn revert(
    c: &mut Conn,
    org: OrgId,
    id: ImportId,
    at: DateTime<Utc>,
) -> Result<usize> {
    let on = c
        .query(
            &Raw(
                "SELECT DISTINCT pipeline_id FROM leads \
                 WHERE org_id = $1 AND import_id = $2 AND deleted_at IS NULL",
                vec![org.0.into(), id.0.into()],
            ),
            |r| r.get::<PipelineId>(0),
        )
        .await?;
    lock_pipelines(c, org, &on).await?;
    let totals = c
        .query(
            &Raw(
                "SELECT stage_id, currency, COUNT(*), CAST(SUM(value_minor) AS BIGINT) FROM leads \
                 WHERE org_id = $1 AND import_id = $2 AND deleted_at IS NULL \
                 GROUP BY stage_id, currency",
                vec![org.0.into(), id.0.into()],
            ),
            |r| {
                Ok((
                    r.get::<StageId>(0)?,
                    r.get::<String>(1)?,
                    r.get::<i64>(2)?,
                    r.get::<i64>(3)?,
                ))
            },
        )
        .await?;
    let removed = c
        .execute(&Raw(
            "UPDATE leads SET deleted_at = $1, version = version + 1, updated_at = $1 \
             WHERE org_id = $2 AND import_id = $3 AND deleted_at IS NULL",
            vec![at.into(), org.0.into(), id.0.into()],
        ))
        .await?;
    for (stage, currency, count, value) in totals {
        adjust_totals(c, org, stage, &currency, -count, -value).await?;
    }
    Ok(removed as usize)
}
