use super::default_pipeline;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use hearth_domain::auth::Action;
use hearth_domain::leads::pipeline::{NewStage, PipelineInput, PipelinePatch, StagePatch};
use hearth_domain::leads::{LeadSource, Pipeline, Stage};
use hearth_domain::{PipelineId, StageId, UserId};
use hearth_store::leads::board::{self, Board};
use hearth_store::leads::{ListQuery, pipelines, stages};
use hearth_store::page::Page;
use hearth_store::work;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(board_of))
        .routes(routes!(add_stage))
        .routes(routes!(update_stage, delete_stage))
}

/// Every pipeline with its ordered stages, the default first. An
/// organisation's first request creates its default pipeline.
#[utoipa::path(get, path = "/api/v1/pipelines", tag = "pipelines",
    responses((status = 200, body = Page<Pipeline>), (status = 401, body = Problem)))]
async fn list(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Page<Pipeline>>> {
    auth.require(Action::ReadLeads)?;
    let org = auth.principal.org_id;
    let mut items = s.store.read(work!(|c| pipelines::list(c, org))).await?;
    if items.is_empty() {
        items.push(default_pipeline(&s, &auth.principal).await?);
    }
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

/// Create a pipeline; without `stages` it gets the default ones.
#[utoipa::path(post, path = "/api/v1/pipelines", tag = "pipelines", request_body = PipelineInput,
    responses((status = 201, body = Pipeline), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<PipelineInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::ManagePipelines)?;
    let p = auth.principal;
    let pipeline = s
        .store
        .write(work!(|c| pipelines::create(c, p.org_id, &p.actor, &input)))
        .await?;
    let location = format!("/api/v1/pipelines/{}", pipeline.id);
    Ok(crate::api::created(location, pipeline))
}

/// Read a pipeline with its stages.
#[utoipa::path(get, path = "/api/v1/pipelines/{id}", tag = "pipelines", params(("id" = Uuid, Path)),
    responses((status = 200, body = Pipeline), (status = 404, body = Problem)))]
async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<PipelineId>,
) -> ApiResult<Json<Pipeline>> {
    auth.require(Action::ReadLeads)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store.read(work!(|c| pipelines::get(c, org, id))).await?,
    ))
}

/// Rename a pipeline or make it the default.
#[utoipa::path(patch, path = "/api/v1/pipelines/{id}", tag = "pipelines", params(("id" = Uuid, Path)), request_body = PipelinePatch,
    responses((status = 200, body = Pipeline), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<PipelineId>,
    ApiJson(patch): ApiJson<PipelinePatch>,
) -> ApiResult<Json<Pipeline>> {
    auth.require(Action::ManagePipelines)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| pipelines::update(
                c, p.org_id, &p.actor, id, &patch
            )))
            .await?,
    ))
}

/// Delete an empty pipeline that is not the default (409 says what is in the way).
#[utoipa::path(delete, path = "/api/v1/pipelines/{id}", tag = "pipelines", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<PipelineId>,
) -> ApiResult<StatusCode> {
    auth.require(Action::ManagePipelines)?;
    let p = auth.principal;
    s.store
        .write(work!(|c| pipelines::delete(c, p.org_id, &p.actor, id)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BoardParams {
    /// Only this salesperson's leads.
    #[serde(alias = "owner")]
    owner_id: Option<UserId>,
    source: Option<LeadSource>,
    /// Only leads scoring above 70.
    hot: Option<bool>,
    /// Cards per column, 1–200 (default 50); counts and totals cover all.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// The Kanban board: per stage, the count and value of its leads and the
/// first cards in order.
#[utoipa::path(get, path = "/api/v1/pipelines/{id}/board", tag = "pipelines", params(("id" = Uuid, Path), BoardParams),
    responses((status = 200, body = Board), (status = 404, body = Problem)))]
async fn board_of(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<PipelineId>,
    ApiQuery(p): ApiQuery<BoardParams>,
) -> ApiResult<Json<Board>> {
    auth.require(Action::ReadLeads)?;
    let org = auth.principal.org_id;
    let filters = ListQuery {
        owner_id: p.owner_id,
        source: p.source,
        hot: p.hot.unwrap_or(false),
        ..Default::default()
    };
    let limit = hearth_store::page::limit(p.limit)?;
    Ok(Json(
        s.store
            .read(work!(|c| board::board(c, org, id, &filters, limit)))
            .await?,
    ))
}

/// Add a stage to a pipeline at a position (default: the end).
#[utoipa::path(post, path = "/api/v1/pipelines/{id}/stages", tag = "pipelines", params(("id" = Uuid, Path)), request_body = NewStage,
    responses((status = 201, body = Stage), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_stage(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<PipelineId>,
    ApiJson(input): ApiJson<NewStage>,
) -> ApiResult<(StatusCode, Json<Stage>)> {
    auth.require(Action::ManagePipelines)?;
    let p = auth.principal;
    let stage = s
        .store
        .write(work!(|c| stages::add_stage(
            c, p.org_id, &p.actor, id, &input
        )))
        .await?;
    Ok((StatusCode::CREATED, Json(stage)))
}

/// Rename a stage, change its kind (only while empty) or move it; the other
/// stages shift to keep the order dense.
#[utoipa::path(patch, path = "/api/v1/stages/{id}", tag = "pipelines", params(("id" = Uuid, Path)), request_body = StagePatch,
    responses((status = 200, body = Stage), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_stage(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<StageId>,
    ApiJson(patch): ApiJson<StagePatch>,
) -> ApiResult<Json<Stage>> {
    auth.require(Action::ManagePipelines)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| stages::update_stage(
                c, p.org_id, &p.actor, id, &patch
            )))
            .await?,
    ))
}

/// Delete an empty stage (409 "move the N leads on this stage first").
#[utoipa::path(delete, path = "/api/v1/stages/{id}", tag = "pipelines", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_stage(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<StageId>,
) -> ApiResult<StatusCode> {
    auth.require(Action::ManagePipelines)?;
    let p = auth.principal;
    s.store
        .write(work!(|c| stages::delete_stage(c, p.org_id, &p.actor, id)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
