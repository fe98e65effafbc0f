//! Lead records: create, read, list, edit, delete.

use super::{Shown, lock_lead_pipelines, lock_pipelines, pipelines, record};
use crate::orgs::now;
use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row, StoreError};
use hearth_domain::history::{Actor, all_fields, diff};
use hearth_domain::leads::score::{ScoreLine, is_hot};
use hearth_domain::leads::{Lead, LeadFields, LeadInput, LeadPatch, LeadSource, Stage, StageKind};
use hearth_domain::{CustomerId, Invalid, LeadId, OrgId, PipelineId, StageId, UserId};
use sea_query::{Expr, ExprTrait, Order, Query};

#[derive(sea_query::Iden)]
pub(crate) enum Leads {
    Table,
    Id,
    OrgId,
    PipelineId,
    StageId,
    Position,
    FirstName,
    LastName,
    BusinessName,
    Email,
    Phone,
    ServiceAddress,
    Source,
    OwnerId,
    ValueMinor,
    Currency,
    ExpectedCloseDate,
    Notes,
    LostReason,
    Score,
    ScoreBreakdown,
    CustomerId,
    OrderId,
    WonAt,
    LostAt,
    StageEnteredAt,
    SearchText,
    Version,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

/// In the order [`lead`] reads them.
pub(crate) const COLUMNS: [Leads; 27] = [
    Leads::Id,
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
    Leads::OrderId,
    Leads::WonAt,
    Leads::LostAt,
    Leads::StageEnteredAt,
    Leads::Version,
    Leads::CreatedAt,
    Leads::UpdatedAt,
];

pub(crate) fn lead(r: &Row) -> Result<Lead> {
    let source: String = r.get(10)?;
    let fields = LeadFields {
        first_name: r.get(4)?,
        last_name: r.get(5)?,
        business_name: r.get(6)?,
        email: r.get(7)?,
        phone: r.get(8)?,
        service_address: r.get(9)?,
        source: LeadSource::parse(&source).unwrap_or(LeadSource::Other),
        owner_id: r.get(11)?,
        value_minor: r.get(12)?,
        currency: r.get(13)?,
        expected_close_date: r.get(14)?,
        notes: r.get(15)?,
        lost_reason: r.get(16)?,
    };
    let score: i64 = r.get(17)?;
    let breakdown: Vec<ScoreLine> =
        serde_json::from_value(r.get::<serde_json::Value>(18)?).unwrap_or_default();
    Ok(Lead {
        id: r.get(0)?,
        pipeline_id: r.get(1)?,
        stage_id: r.get(2)?,
        position: r.get(3)?,
        display_name: fields.display_name(),
        fields,
        score,
        hot: is_hot(score),
        score_breakdown: breakdown,
        customer_id: r.get(19)?,
        order_id: r.get(20)?,
        won_at: r.get(21)?,
        lost_at: r.get(22)?,
        stage_entered_at: r.get(23)?,
        version: r.get(24)?,
        created_at: r.get(25)?,
        updated_at: r.get(26)?,
    })
}

fn audited(f: &LeadFields) -> serde_json::Value {
    serde_json::to_value(f).unwrap_or_default()
}

/// A live lead of this organisation.
pub async fn get(c: &mut Conn, org: OrgId, id: LeadId) -> Result<Lead> {
    let mut q = Query::select();
    q.columns(COLUMNS)
        .from(Leads::Table)
        .and_where(Expr::col(Leads::Id).eq(id.0))
        .and_where(Expr::col(Leads::OrgId).eq(org.0))
        .and_where(Expr::col(Leads::DeletedAt).is_null());
    c.query_one(&q, lead).await
}

/// A lead of this organisation even if deleted (its history outlives it).
pub async fn get_any(c: &mut Conn, org: OrgId, id: LeadId) -> Result<Lead> {
    let mut q = Query::select();
    q.columns(COLUMNS)
        .from(Leads::Table)
        .and_where(Expr::col(Leads::Id).eq(id.0))
        .and_where(Expr::col(Leads::OrgId).eq(org.0));
    c.query_one(&q, lead).await
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ListOrder {
    /// Newest first.
    #[default]
    Recent,
    /// Highest score first (the priority view).
    Score,
}

#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    pub pipeline_id: Option<PipelineId>,
    pub stage_id: Option<StageId>,
    pub owner_id: Option<UserId>,
    pub source: Option<LeadSource>,
    /// Only leads scoring above 70, highest first.
    pub hot: bool,
    pub customer_id: Option<CustomerId>,
    /// Words that must all appear in the name, business, email or phone.
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: u64,
}

/// Applies the filters every lead listing shares (also the board's).
pub(crate) fn filter(q: &mut sea_query::SelectStatement, org: OrgId, query: &ListQuery) {
    q.and_where(Expr::col(Leads::OrgId).eq(org.0))
        .and_where(Expr::col(Leads::DeletedAt).is_null());
    if let Some(p) = query.pipeline_id {
        q.and_where(Expr::col(Leads::PipelineId).eq(p.0));
    }
    if let Some(s) = query.stage_id {
        q.and_where(Expr::col(Leads::StageId).eq(s.0));
    }
    if let Some(o) = query.owner_id {
        q.and_where(Expr::col(Leads::OwnerId).eq(o.0));
    }
    if let Some(s) = query.source {
        q.and_where(Expr::col(Leads::Source).eq(s.as_str()));
    }
    if let Some(cu) = query.customer_id {
        q.and_where(Expr::col(Leads::CustomerId).eq(cu.0));
    }
    if query.hot {
        q.and_where(Expr::col(Leads::Score).gt(hearth_domain::leads::score::HOT_ABOVE));
    }
    for word in query
        .q
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .take(8)
    {
        let word = word.to_lowercase();
        let needle = hearth_domain::contact::phone_digits(&word).unwrap_or(word);
        let escaped = needle
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q.and_where(
            Expr::col(Leads::SearchText)
                .like(sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\')),
        );
    }
}

/// Leads newest first, or with `hot` highest score first; a page at a time.
pub async fn list(c: &mut Conn, org: OrgId, query: &ListQuery) -> Result<Page<Lead>> {
    let order = if query.hot {
        ListOrder::Score
    } else {
        ListOrder::Recent
    };
    let mut q = Query::select();
    q.columns(COLUMNS).from(Leads::Table).limit(query.limit + 1);
    filter(&mut q, org, query);
    let bad_cursor = || Invalid::field("cursor", "is not a cursor from this list");
    match order {
        ListOrder::Recent => {
            q.order_by(Leads::CreatedAt, Order::Desc)
                .order_by(Leads::Id, Order::Desc);
            if let Some(cursor) = &query.cursor {
                let (at, id): (chrono::DateTime<chrono::Utc>, uuid::Uuid) =
                    page::decode(cursor).ok_or_else(bad_cursor)?;
                q.and_where(
                    Expr::tuple([Expr::col(Leads::CreatedAt), Expr::col(Leads::Id)])
                        .lt(Expr::tuple([Expr::val(at), Expr::val(id)])),
                );
            }
        }
        ListOrder::Score => {
            q.order_by(Leads::Score, Order::Desc)
                .order_by(Leads::Id, Order::Desc);
            if let Some(cursor) = &query.cursor {
                let (score, id): (i64, uuid::Uuid) = page::decode(cursor).ok_or_else(bad_cursor)?;
                q.and_where(
                    Expr::tuple([Expr::col(Leads::Score), Expr::col(Leads::Id)])
                        .lt(Expr::tuple([Expr::val(score), Expr::val(id)])),
                );
            }
        }
    }
    let rows = c.query(&q, lead).await?;
    Ok(match order {
        ListOrder::Recent => page::finish(rows, query.limit, |l| (l.created_at, l.id.0)),
        ListOrder::Score => page::finish(rows, query.limit, |l| (l.score, l.id.0)),
    })
}

/// Active users who can own leads, by name (for pickers).
pub async fn owners(c: &mut Conn, org: OrgId) -> Result<Vec<(UserId, String)>> {
    c.query(
        &Raw(
            "SELECT id, name FROM users WHERE org_id = $1 AND disabled_at IS NULL ORDER BY name, id",
            vec![org.0.into()],
        ),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .await
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
        let stage = pipelines::stage(c, org, stage_id)
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
    let position = pipelines::leads_on_stage(c, org, stage).await?;
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
        let stage = pipelines::stage(c, org, current.stage_id).await?;
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

/// Soft-deletes a lead and closes the gap it leaves in its column.
pub async fn delete(c: &mut Conn, org: OrgId, actor: &Actor, id: LeadId) -> Result<()> {
    let current = lock_lead_pipelines(c, org, id, None).await?;
    let now = now();
    c.execute(&Raw(
        "UPDATE leads SET deleted_at = $1, version = version + 1, updated_at = $1 WHERE id = $2 AND org_id = $3",
        vec![now.into(), id.0.into(), org.0.into()],
    ))
    .await?;
    c.execute(&Raw(
        "UPDATE leads SET position = position - 1 WHERE org_id = $1 AND pipeline_id = $2 \
         AND stage_id = $3 AND position > $4 AND deleted_at IS NULL",
        vec![
            org.0.into(),
            current.pipeline_id.0.into(),
            current.stage_id.0.into(),
            current.position.into(),
        ],
    ))
    .await?;
    let f = &current.fields;
    super::board::adjust_totals(c, org, current.stage_id, &f.currency, -1, -f.value_minor).await?;
    let summary = format!("Lead {} deleted", current.display_name);
    record(c, org, actor, id, Shown::Lead, "deleted", summary, &[]).await
}
