use super::decode_cursor;
use crate::AppState;
use crate::api::PageParams;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use hearth_domain::auth::Action;
use hearth_domain::tags::{Tag, TagInput, TagPatch};
use hearth_domain::{CustomerId, TagId};
use hearth_store::page::{self, Page};
use hearth_store::{customers, tags, work};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(customer_tags, add_to_customer))
        .routes(routes!(remove_from_customer))
}

/// The organisation's tags, alphabetically.
#[utoipa::path(get, path = "/api/v1/tags", tag = "tags", params(PageParams),
    responses((status = 200, body = Page<Tag>), (status = 422, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Tag>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let cursor = decode_cursor::<tags::Cursor>(p.cursor.as_deref())?;
    let limit = page::limit(p.limit)?;
    Ok(Json(
        s.store
            .read(work!(|c| tags::list(c, org, cursor, limit)))
            .await?,
    ))
}

/// Define a tag. Names are unique in the organisation, ignoring case; a
/// taken name is a 422 naming `name`.
#[utoipa::path(post, path = "/api/v1/tags", tag = "tags", request_body = TagInput,
    responses((status = 201, body = Tag), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<TagInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::ManageTags)?;
    let p = auth.principal;
    let tag = s
        .store
        .write(work!(|c| tags::create(c, p.org_id, &p.actor, &input)))
        .await?;
    let location = format!("/api/v1/tags/{}", tag.id);
    Ok(crate::api::created(location, tag))
}

/// Read a tag.
#[utoipa::path(get, path = "/api/v1/tags/{id}", tag = "tags", params(("id" = Uuid, Path)),
    responses((status = 200, body = Tag), (status = 404, body = Problem)))]
async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<TagId>,
) -> ApiResult<Json<Tag>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(s.store.read(work!(|c| tags::get(c, org, id))).await?))
}

/// Rename or recolour a tag; customers carrying it show the change.
#[utoipa::path(patch, path = "/api/v1/tags/{id}", tag = "tags", params(("id" = Uuid, Path)), request_body = TagPatch,
    responses((status = 200, body = Tag), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<TagId>,
    ApiJson(patch): ApiJson<TagPatch>,
) -> ApiResult<Json<Tag>> {
    auth.require(Action::ManageTags)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| tags::update(c, p.org_id, &p.actor, id, &patch)))
            .await?,
    ))
}

/// Delete a tag: it comes off every customer and its name becomes free.
#[utoipa::path(delete, path = "/api/v1/tags/{id}", tag = "tags", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn delete(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<TagId>,
) -> ApiResult<StatusCode> {
    auth.require(Action::ManageTags)?;
    let p = auth.principal;
    s.store
        .write(work!(|c| tags::delete(c, p.org_id, &p.actor, id)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The tags on a customer, alphabetically.
#[utoipa::path(get, path = "/api/v1/customers/{id}/tags", tag = "tags", params(("id" = Uuid, Path), PageParams),
    responses((status = 200, body = Page<Tag>), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn customer_tags(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Tag>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let cursor = decode_cursor::<tags::Cursor>(p.cursor.as_deref())?;
    let limit = page::limit(p.limit)?;
    Ok(Json(
        s.store
            .read(work!(|c| async {
                customers::get(c, org, id, true).await?;
                tags::of_customer(c, org, id, cursor, limit).await
            }))
            .await?,
    ))
}

/// Names one of the organisation's tags.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagName {
    /// An existing tag's name, in any case.
    name: String,
}

/// Put an existing tag on a customer: 201 when added, 200 when the customer
/// already carries it. An unknown name is a 422 naming `name`.
#[utoipa::path(post, path = "/api/v1/customers/{id}/tags", tag = "tags", params(("id" = Uuid, Path)), request_body = TagName,
    responses((status = 201, body = Tag), (status = 200, body = Tag), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_to_customer(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiJson(body): ApiJson<TagName>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let (tag, added) = s
        .store
        .write(work!(|c| tags::attach(
            c, p.org_id, &p.actor, id, &body.name
        )))
        .await?;
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(tag)))
}

/// Take a tag off a customer. Harmless if the customer does not carry it;
/// 404 if no tag has that name.
#[utoipa::path(delete, path = "/api/v1/customers/{id}/tags/{name}", tag = "tags",
    params(("id" = Uuid, Path), ("name" = String, Path, description = "The tag's name, in any case")),
    responses((status = 204), (status = 404, body = Problem)))]
async fn remove_from_customer(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath((id, name)): ApiPath<(CustomerId, String)>,
) -> ApiResult<StatusCode> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    s.store
        .write(work!(|c| tags::detach(c, p.org_id, &p.actor, id, &name)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
