use crate::AppState;
use crate::api::created;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath};
use axum::extract::State;
use axum::response::IntoResponse;
use hearth_domain::CustomerId;
use hearth_domain::auth::Action;
use hearth_domain::comms::Communication;
use hearth_domain::templates::MessageInput;
use hearth_store::{messages, work};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(send))
}

/// Send an email or SMS to a customer, written out or from a template with
/// merge fields. It is queued at once (status `queued`) and delivered by the
/// worker with retries; the communication turns `sent` or, after the last
/// attempt, `failed` with `delivery_error`.
#[utoipa::path(post, path = "/api/v1/customers/{id}/messages", tag = "communications",
    params(("id" = Uuid, Path)), request_body = MessageInput,
    responses((status = 201, body = Communication)))]
async fn send(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CustomerId>,
    ApiJson(input): ApiJson<MessageInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    let sent = s
        .store
        .write(work!(|c| messages::send(c, p.org_id, &p.actor, id, &input)))
        .await?;
    Ok(created(
        format!("/api/v1/customers/{id}/communications"),
        sent,
    ))
}
