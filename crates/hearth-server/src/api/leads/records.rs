use super::decode_cursor;
use crate::AppState;
use crate::api::PageParams;
use crate::api::booked;
use crate::api::duplicates::{AllowDuplicate, refused_as_duplicate};
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use hearth_domain::auth::Action;
use hearth_domain::jobs::{Job, ScheduleInput};
use hearth_domain::leads::score::{ScoringRules, SignalKind};
use hearth_domain::leads::{Lead, LeadInput, LeadMove, LeadPatch, LeadSource};
use hearth_domain::{CustomerId, LeadId, PipelineId, StageId, UserId};
use hearth_store::duplicates::{self, LeadChecked, Lookalikes};
use hearth_store::history::{self, AuditEntry};
use hearth_store::leads::convert::{self, Conversion, Converted};
use hearth_store::leads::signals::{self, LeadSignal};
use hearth_store::leads::timeline::{self, LeadEvent};
use hearth_store::leads::{self, ListQuery, board};
use hearth_store::page::{self, Page};
use hearth_store::work;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(move_lead))
        .routes(routes!(convert_lead))
        .routes(routes!(order_lead))
        .routes(routes!(list_signals, add_signal))
        .routes(routes!(lead_timeline))
        .routes(routes!(changes))
        .routes(routes!(get_scoring, set_scoring))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    #[serde(alias = "pipeline")]
    pipeline_id: Option<PipelineId>,
    #[serde(alias = "stage")]
    stage_id: Option<StageId>,
    /// The salesperson working the lead.
    #[serde(alias = "owner")]
    owner_id: Option<UserId>,
    source: Option<LeadSource>,
    /// `true`: only leads scoring above 70, highest score first.
    hot: Option<bool>,
    /// Leads linked to this customer.
    customer_id: Option<CustomerId>,
    /// Words matched against name, business name, email and phone digits.
    q: Option<String>,
    cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// List leads, newest first (with `hot=true`, highest score first).
#[utoipa::path(get, path = "/api/v1/leads", tag = "leads", params(ListParams),
    responses((status = 200, body = Page<Lead>), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<Lead>>> {
    auth.require(Action::ReadLeads)?;
    let org = auth.principal.org_id;
    let query = ListQuery {
        pipeline_id: p.pipeline_id,
        stage_id: p.stage_id,
        owner_id: p.owner_id,
        source: p.source,
        hot: p.hot.unwrap_or(false),
        customer_id: p.customer_id,
        q: p.q,
        cursor: p.cursor,
        limit: page::limit(p.limit)?,
    };
    Ok(Json(
        s.store.read(work!(|c| leads::list(c, org, &query))).await?,
    ))
}

/// A new lead and the existing records it looks like.
#[derive(Serialize, ToSchema)]
pub struct CreatedLead {
    #[serde(flatten)]
    lead: Lead,
    /// Live customers and open leads this one looks like (a warning).
    duplicates: Lookalikes,
}

/// Capture a lead by hand. Without `pipeline_id`/`stage_id` it lands on the
/// default pipeline's first open stage, at the end of the column. Live
/// customers and open leads it looks like (same phone or email, similar
/// name) are listed in `duplicates`; if the organisation blocks duplicates
/// the answer is 409 listing them, unless `?allow_duplicate=true`.
#[utoipa::path(post, path = "/api/v1/leads", tag = "leads", params(AllowDuplicate), request_body = LeadInput,
    responses((status = 201, body = CreatedLead), (status = 409, description = "Looks like existing records (`duplicates`) and the organisation blocks duplicates"), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<AllowDuplicate>,
    ApiJson(input): ApiJson<LeadInput>,
) -> ApiResult<Response> {
    auth.require(Action::WriteLeads)?;
    let p = auth.principal;
    let allow = q.allowed();
    let checked = s
        .store
        .write(work!(|c| duplicates::create_lead(
            c, p.org_id, &p.region, &p.actor, &input, allow
        )))
        .await?;
    Ok(match checked {
        LeadChecked::Created(lead, duplicates) => {
            let location = format!("/api/v1/leads/{}", lead.id);
            crate::api::created(
                location,
                CreatedLead {
                    lead: *lead,
                    duplicates,
                },
            )
            .into_response()
        }
        LeadChecked::Blocked(duplicates) => refused_as_duplicate(
            "this looks like an existing customer or open lead; work on that one, or send allow_duplicate=true",
            &duplicates,
        ),
    })
}

/// Read a lead with its score and score breakdown.
#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "leads", params(("id" = Uuid, Path)),
    responses((status = 200, body = Lead), (status = 404, body = Problem)))]
async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<LeadId>,
) -> ApiResult<Json<Lead>> {
    auth.require(Action::ReadLeads)?;
    let org = auth.principal.org_id;
    Ok(Json(s.store.read(work!(|c| leads::get(c, org, id))).await?))
}

/// Change some fields of a lead (send the `version` you read; stale → 409).
/// Stages change through `move`.
#[utoipa::path(patch, path = "/api/v1/leads/{id}", tag = "leads", params(("id" = Uuid, Path)), request_body = LeadPatch,
    responses((status = 200, body = Lead), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<LeadId>,
    ApiJson(patch): ApiJson<LeadPatch>,
) -> ApiResult<Json<Lead>> {
    auth.require(Action::WriteLeads)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| leads::update(
                c, p.org_id, &p.region, &p.actor, id, &patch
            )))
            .await?,
    ))
}

/// Delete a lead; the cards below it move up.
#[utoipa::path(delete, path = "/api/v1/leads/{id}", tag = "leads", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<LeadId>,
) -> ApiResult<StatusCode> {
    auth.require(Action::WriteLeads)?;
    let p = auth.principal;
    s.store
        .write(work!(|c| leads::delete(c, p.org_id, &p.actor, id)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Move a card to a stage and place. A won stage sets `won_at`; a lost
/// stage needs `lost_reason`. Moving it where it is changes nothing.
#[utoipa::path(post, path = "/api/v1/leads/{id}/move", tag = "leads", params(("id" = Uuid, Path)), request_body = LeadMove,
    responses((status = 200, body = Lead), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn move_lead(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<LeadId>,
    ApiJson(mv): ApiJson<LeadMove>,
) -> ApiResult<Json<Lead>> {
    auth.require(Action::WriteLeads)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| board::move_lead(c, p.org_id, &p.actor, id, &mv)))
            .await?,
    ))
}

/// Convert a lead into a customer and move it to the won stage. The
/// customer is the live one with the lead's phone or email (`outcome`:
/// `matched`), the one it is already linked to (`linked`), or a new one
/// (`created`) after the duplicate check: its look-alikes are listed in
/// `duplicates`, or, if the organisation blocks duplicates, the answer is
/// 409 listing them unless `?allow_duplicate=true`. Converting again
/// returns the same customer.
#[utoipa::path(post, path = "/api/v1/leads/{id}/convert", tag = "leads", params(("id" = Uuid, Path), AllowDuplicate),
    responses((status = 200, body = Conversion), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn convert_lead(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<LeadId>,
    ApiQuery(q): ApiQuery<AllowDuplicate>,
) -> ApiResult<Response> {
    auth.require(Action::WriteLeads)?;
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let allow = q.allowed();
    let converted = s
        .store
        .write(work!(|c| convert::convert(
            c, p.org_id, &p.region, &p.actor, id, allow
        )))
        .await?;
    Ok(match converted {
        Converted::Done(done) => Json(done).into_response(),
        Converted::Blocked(duplicates) => refused_as_duplicate(
            "this lead looks like existing customers; give it their phone or email to convert into them, or send allow_duplicate=true",
            &duplicates,
        ),
    })
}

/// Convert a lead into a customer (as `/convert`) and book the job its won
/// work becomes; the job's id is recorded on the lead as `order_id`. The
/// deal value becomes the job's line item. Asking again returns the job
/// already booked.
#[utoipa::path(post, path = "/api/v1/leads/{id}/order", tag = "leads", params(("id" = Uuid, Path)), request_body = ScheduleInput,
    responses((status = 201, body = Job), (status = 200, body = Job, description = "Booked before")))]
async fn order_lead(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<LeadId>,
    ApiJson(input): ApiJson<ScheduleInput>,
) -> ApiResult<Response> {
    auth.require(Action::WriteLeads)?;
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let (job, new) = s
        .store
        .write(work!(|c| convert::order(
            c, p.org_id, &p.region, &p.actor, id, &input
        )))
        .await?;
    Ok(booked(job, new))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSignal {
    pub kind: SignalKind,
}

/// Record an engagement signal; the lead's score is recomputed at once.
#[utoipa::path(post, path = "/api/v1/leads/{id}/signals", tag = "leads", params(("id" = Uuid, Path)), request_body = NewSignal,
    responses((status = 201, body = Lead), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_signal(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<LeadId>,
    ApiJson(signal): ApiJson<NewSignal>,
) -> ApiResult<(StatusCode, Json<Lead>)> {
    auth.require(Action::WriteLeads)?;
    let p = auth.principal;
    let lead = s
        .store
        .write(work!(|c| signals::record_signal(
            c,
            p.org_id,
            &p.actor,
            id,
            signal.kind
        )))
        .await?;
    Ok((StatusCode::CREATED, Json(lead)))
}

/// A lead's signals, newest first (the latest 200).
#[utoipa::path(get, path = "/api/v1/leads/{id}/signals", tag = "leads", params(("id" = Uuid, Path)),
    responses((status = 200, body = Page<LeadSignal>), (status = 404, body = Problem)))]
async fn list_signals(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<LeadId>,
) -> ApiResult<Json<Page<LeadSignal>>> {
    auth.require(Action::ReadLeads)?;
    let org = auth.principal.org_id;
    let items = s
        .store
        .read(work!(|c| async {
            leads::get(c, org, id).await?;
            signals::list(c, org, id, page::MAX_LIMIT).await
        }))
        .await?;
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

/// Everything that happened to a lead, newest first.
#[utoipa::path(get, path = "/api/v1/leads/{id}/timeline", tag = "leads", params(("id" = Uuid, Path), PageParams),
    responses((status = 200, body = Page<LeadEvent>), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn lead_timeline(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<LeadId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<LeadEvent>>> {
    auth.require(Action::ReadLeads)?;
    let org = auth.principal.org_id;
    let cursor = decode_cursor::<(DateTime<Utc>, Uuid)>(p.cursor.as_deref())?;
    let limit = page::limit(p.limit)?;
    Ok(Json(
        s.store
            .read(work!(|c| async {
                leads::get_any(c, org, id).await?;
                timeline::timeline(c, org, id, cursor, limit).await
            }))
            .await?,
    ))
}

/// Field-level history of a lead ("view changes"), newest first.
#[utoipa::path(get, path = "/api/v1/leads/{id}/history", tag = "leads", params(("id" = Uuid, Path), PageParams),
    responses((status = 200, body = Page<AuditEntry>), (status = 404, body = Problem)))]
async fn changes(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<LeadId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    auth.require(Action::ReadLeads)?;
    let org = auth.principal.org_id;
    let cursor = decode_cursor::<Uuid>(p.cursor.as_deref())?;
    let limit = page::limit(p.limit)?;
    Ok(Json(
        s.store
            .read(work!(|c| async {
                leads::get_any(c, org, id).await?;
                history::changes(c, org, id.0, cursor, limit).await
            }))
            .await?,
    ))
}

/// The organisation's lead-scoring rules (weights per signal, half-life).
#[utoipa::path(get, path = "/api/v1/settings/lead-scoring", tag = "leads",
    responses((status = 200, body = ScoringRules)))]
async fn get_scoring(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<ScoringRules>> {
    auth.require(Action::ReadLeads)?;
    let org = auth.principal.org_id;
    Ok(Json(s.store.read(work!(|c| signals::rules(c, org))).await?))
}

/// Replace the lead-scoring rules; every lead is rescored with them.
#[utoipa::path(put, path = "/api/v1/settings/lead-scoring", tag = "leads", request_body = ScoringRules,
    responses((status = 200, body = ScoringRules), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn set_scoring(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(rules): ApiJson<ScoringRules>,
) -> ApiResult<Json<ScoringRules>> {
    auth.require(Action::ManagePipelines)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| signals::set_rules(c, p.org_id, &p.actor, &rules)))
            .await?,
    ))
}
