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
use hearth_domain::notes::{Note, NoteInput, NotePatch};
use hearth_domain::{CustomerId, NoteId};
use hearth_store::history::AuditEntry;
use hearth_store::page::{self, Page};
use hearth_store::{customers, history, notes, work};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(changes))
}

/// A customer's notes: pinned first, then newest first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/notes", tag = "notes", params(("id" = Uuid, Path), PageParams),
    responses((status = 200, body = Page<Note>), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<Note>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let cursor = decode_cursor::<notes::Cursor>(p.cursor.as_deref())?;
    let limit = page::limit(p.limit)?;
    Ok(Json(
        s.store
            .read(work!(|c| async {
                customers::get(c, org, id, true).await?;
                notes::list(c, org, id, cursor, limit).await
            }))
            .await?,
    ))
}

/// Write a note on a customer; it is attributed to the caller.
#[utoipa::path(post, path = "/api/v1/customers/{id}/notes", tag = "notes", params(("id" = Uuid, Path)), request_body = NoteInput,
    responses((status = 201, body = Note), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiJson(input): ApiJson<NoteInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let note = s
        .store
        .write(work!(|c| notes::create(c, p.org_id, &p.actor, id, &input)))
        .await?;
    let location = format!("/api/v1/notes/{}", note.id);
    Ok(crate::api::created(location, note))
}

/// Read a note.
#[utoipa::path(get, path = "/api/v1/notes/{id}", tag = "notes", params(("id" = Uuid, Path)),
    responses((status = 200, body = Note), (status = 404, body = Problem)))]
async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<NoteId>,
) -> ApiResult<Json<Note>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(s.store.read(work!(|c| notes::get(c, org, id))).await?))
}

/// Edit a note's text or pin it. Send the `version` you read; if the note
/// changed since, the answer is 409 and nothing is written.
#[utoipa::path(patch, path = "/api/v1/notes/{id}", tag = "notes", params(("id" = Uuid, Path)), request_body = NotePatch,
    responses((status = 200, body = Note), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<NoteId>,
    ApiJson(patch): ApiJson<NotePatch>,
) -> ApiResult<Json<Note>> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| notes::update(c, p.org_id, &p.actor, id, &patch)))
            .await?,
    ))
}

/// Delete a note. Its edit history stays readable.
#[utoipa::path(delete, path = "/api/v1/notes/{id}", tag = "notes", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<NoteId>,
) -> ApiResult<StatusCode> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    s.store
        .write(work!(|c| notes::delete(c, p.org_id, &p.actor, id)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every version of a note: creation, each edit, pin changes and deletion,
/// field by field, newest first.
#[utoipa::path(get, path = "/api/v1/notes/{id}/history", tag = "notes", params(("id" = Uuid, Path), PageParams),
    responses((status = 200, body = Page<AuditEntry>), (status = 404, body = Problem)))]
async fn changes(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<NoteId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let cursor = decode_cursor::<Uuid>(p.cursor.as_deref())?;
    let limit = page::limit(p.limit)?;
    Ok(Json(
        s.store
            .read(work!(|c| async {
                notes::exists(c, org, id).await?;
                history::changes(c, org, id.0, cursor, limit).await
            }))
            .await?,
    ))
}
