use super::PageParams;
use crate::AppState;
use crate::api::created;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use hearth_domain::auth::Action;
use hearth_domain::support::{
    MessageInput, Ticket, TicketInput, TicketMessage, TicketPatch, TicketStatus,
};
use hearth_domain::{CustomerId, Invalid, TicketId};
use hearth_store::page::{self, Page};
use hearth_store::{support, work};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
        .routes(routes!(messages, add_message))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Only this customer's tickets.
    #[param(value_type = Option<String>, format = Uuid)]
    customer_id: Option<CustomerId>,
    /// open, pending, resolved or closed.
    status: Option<String>,
    cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Support tickets, newest first.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "support", params(ListParams),
    responses((status = 200, body = Page<Ticket>)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<Ticket>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let status = match p.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(TicketStatus::parse(raw).ok_or_else(|| {
            Invalid::field("status", format!("must be {}", TicketStatus::choices()))
        })?),
    };
    let query = support::ListQuery {
        customer: p.customer_id,
        status,
        active: false,
        cursor: p.cursor,
        limit: page::limit(p.limit)?,
    };
    Ok(Json(
        s.store
            .read(work!(|c| support::list(c, org, &query)))
            .await?,
    ))
}

/// Open a ticket for a customer; `body` becomes its first message (from the
/// customer).
#[utoipa::path(post, path = "/api/v1/tickets", tag = "support", request_body = TicketInput,
    responses((status = 201, body = Ticket)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<TicketInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let t = s
        .store
        .write(work!(|c| support::create(c, p.org_id, &p.actor, &input)))
        .await?;
    Ok(created(format!("/api/v1/tickets/{}", t.id), t))
}

/// Read a ticket.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "support", params(("id" = Uuid, Path)),
    responses((status = 200, body = Ticket)))]
async fn get_one(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<TicketId>,
) -> ApiResult<Json<Ticket>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store.read(work!(|c| support::get(c, org, id))).await?,
    ))
}

/// Change a ticket's subject, status, channel or priority; send the
/// `version` you read.
#[utoipa::path(patch, path = "/api/v1/tickets/{id}", tag = "support", params(("id" = Uuid, Path)), request_body = TicketPatch,
    responses((status = 200, body = Ticket), (status = 409, description = "The ticket changed since `version`")))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<TicketId>,
    ApiJson(patch): ApiJson<TicketPatch>,
) -> ApiResult<Json<Ticket>> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| support::update(
                c, p.org_id, &p.actor, id, &patch
            )))
            .await?,
    ))
}

/// A ticket's conversation, oldest first.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/messages", tag = "support", params(("id" = Uuid, Path), PageParams),
    responses((status = 200, body = Page<TicketMessage>)))]
async fn messages(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<TicketId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<TicketMessage>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let limit = page::limit(p.limit)?;
    Ok(Json(
        s.store
            .read(work!(|c| support::messages(
                c,
                org,
                id,
                p.cursor.as_deref(),
                limit
            )))
            .await?,
    ))
}

/// Add a message; `author` is `staff` (you, the default) or `customer` (a
/// reply taken down from a call or an email).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/messages", tag = "support", params(("id" = Uuid, Path)), request_body = MessageInput,
    responses((status = 201, body = TicketMessage)))]
async fn add_message(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<TicketId>,
    ApiJson(input): ApiJson<MessageInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let m = s
        .store
        .write(work!(|c| support::add_message(
            c, p.org_id, &p.actor, id, &input
        )))
        .await?;
    Ok(created(format!("/api/v1/tickets/{id}/messages"), m))
}
