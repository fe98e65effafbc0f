use crate::AppState;
use crate::api::created;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use hearth_domain::TemplateId;
use hearth_domain::auth::Action;
use hearth_domain::templates::{Template, TemplateInput, TemplateReplacement};
use hearth_store::{templates, work};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
}

/// The organisation's message templates, by name.
#[utoipa::path(get, path = "/api/v1/message-templates", tag = "messages",
    responses((status = 200, body = Vec<Template>)))]
async fn list(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Template>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store.read(work!(|c| templates::list(c, org))).await?,
    ))
}

/// A template for email or SMS; `{{first_name}}`, `{{last_name}}`,
/// `{{full_name}}`, `{{business_name}}`, `{{email}}`, `{{phone}}` and
/// `{{org_name}}` are merged when it is sent.
#[utoipa::path(post, path = "/api/v1/message-templates", tag = "messages",
    request_body = TemplateInput, responses((status = 201, body = Template)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<TemplateInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::ManageIntegrations)?;
    let org = auth.principal.org_id;
    let (name, content) = input.validate()?;
    let t = s
        .store
        .write(work!(|c| templates::create(c, org, &name, &content)))
        .await?;
    Ok(created(format!("/api/v1/message-templates/{}", t.id), t))
}

#[utoipa::path(get, path = "/api/v1/message-templates/{id}", tag = "messages",
    params(("id" = Uuid, Path)), responses((status = 200, body = Template)))]
async fn get(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<TemplateId>,
) -> ApiResult<Json<Template>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store.read(work!(|c| templates::get(c, org, id))).await?,
    ))
}

/// Replace a template; send the `version` you read (stale → 409).
#[utoipa::path(put, path = "/api/v1/message-templates/{id}", tag = "messages",
    params(("id" = Uuid, Path)), request_body = TemplateReplacement,
    responses((status = 200, body = Template), (status = 409)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<TemplateId>,
    ApiJson(input): ApiJson<TemplateReplacement>,
) -> ApiResult<Json<Template>> {
    auth.require(Action::ManageIntegrations)?;
    let org = auth.principal.org_id;
    let (version, input) = input.split();
    let (name, content) = input.validate()?;
    Ok(Json(
        s.store
            .write(work!(|c| templates::update(
                c, org, id, version, &name, &content
            )))
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/message-templates/{id}", tag = "messages",
    params(("id" = Uuid, Path)), responses((status = 204)))]
async fn delete(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<TemplateId>,
) -> ApiResult<StatusCode> {
    auth.require(Action::ManageIntegrations)?;
    let org = auth.principal.org_id;
    s.store
        .write(work!(|c| templates::delete(c, org, id)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
