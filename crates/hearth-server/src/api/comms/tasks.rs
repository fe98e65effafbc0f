use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hearth_domain::auth::Action;
use hearth_domain::history::ActorKind;
use hearth_domain::tasks::{Task, TaskInput, TaskPatch};
use hearth_domain::{Invalid, TaskId, UserId};
use hearth_store::auth::Principal;
use hearth_store::page::{self, Page};
use hearth_store::{tasks, work};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update))
        .routes(routes!(complete))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// `me` (the signed-in user) or a user id.
    assignee: Option<String>,
    /// Only open tasks past their due time.
    overdue: Option<bool>,
    /// Only tasks not completed.
    open: Option<bool>,
    cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// `me` is the signed-in user; an API key is nobody's "me".
pub fn assignee(principal: &Principal, raw: Option<&str>) -> Result<Option<UserId>, Invalid> {
    match raw {
        None => Ok(None),
        Some("me") => match (principal.actor.kind, principal.actor.id) {
            (ActorKind::User, Some(id)) => Ok(Some(UserId(id))),
            _ => Err(Invalid::field(
                "assignee",
                "`me` needs a signed-in user; pass a user id with an API key",
            )),
        },
        Some(id) => id
            .parse()
            .map(Some)
            .map_err(|_| Invalid::field("assignee", "is neither `me` nor a user id")),
    }
}

/// Tasks by due time, most overdue first.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", params(ListParams),
    responses((status = 200, body = Page<Task>)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<Task>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let query = tasks::TaskQuery {
        assignee: assignee(&auth.principal, p.assignee.as_deref())?,
        open: p.open.unwrap_or(false),
        overdue: p.overdue.unwrap_or(false),
        cursor: p.cursor,
        limit: page::limit(p.limit)?,
    };
    Ok(Json(
        s.store.read(work!(|c| tasks::list(c, org, &query))).await?,
    ))
}

/// Create a task, optionally about a customer or lead.
#[utoipa::path(post, path = "/api/v1/tasks", tag = "tasks", request_body = TaskInput,
    responses((status = 201, body = Task)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<TaskInput>,
) -> ApiResult<(StatusCode, Json<Task>)> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let t = s
        .store
        .write(work!(|c| tasks::create(c, p.org_id, &p.actor, &input)))
        .await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// Change a task; `completed` completes or reopens it (and its engagement's
/// follow-up).
#[utoipa::path(patch, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = Uuid, Path)),
    request_body = TaskPatch,
    responses((status = 200, body = Task), (status = 409, description = "Changed by someone else since `version`")))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<TaskId>,
    ApiJson(patch): ApiJson<TaskPatch>,
) -> ApiResult<Json<Task>> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| tasks::update(c, p.org_id, &p.actor, id, &patch)))
            .await?,
    ))
}

/// Mark a task done; an engagement follow-up is marked completed with it.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/complete", tag = "tasks", params(("id" = Uuid, Path)),
    responses((status = 200, body = Task)))]
async fn complete(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<TaskId>,
) -> ApiResult<Json<Task>> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| tasks::complete(c, p.org_id, &p.actor, id)))
            .await?,
    ))
}
