use crate::AppState;
use crate::api::comms::PageParams;
use crate::api::created;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use hearth_domain::WebhookId;
use hearth_domain::auth::Action;
use hearth_domain::webhooks::{
    CreatedWebhook, Webhook, WebhookDelivery, WebhookInput, WebhookPatch,
};
use hearth_store::page::{self, Page};
use hearth_store::{outbox, webhooks, work};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
        .routes(routes!(rotate_secret))
        .routes(routes!(deliveries))
}

/// The organisation's webhook subscriptions (never their secrets).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    responses((status = 200, body = Vec<Webhook>)))]
async fn list(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Webhook>>> {
    auth.require(Action::ManageIntegrations)?;
    let org = auth.principal.org_id;
    Ok(Json(s.store.read(work!(|c| webhooks::list(c, org))).await?))
}

/// Subscribe a URL to events: `customer.created`, `customer.updated`,
/// `customer.merged`, `lead.moved`, `lead.won`, `lead.lost`,
/// `job.status_changed`, `invoice.paid`. Each delivery is a JSON POST with
/// `Hearth-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` keyed with
/// the `secret` returned here once, and an `Idempotency-Key` that is the
/// same on every retry of that delivery.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks",
    request_body = WebhookInput, responses((status = 201, body = CreatedWebhook)))]
async fn create(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<WebhookInput>,
) -> ApiResult<impl IntoResponse> {
    auth.require(Action::ManageIntegrations)?;
    let org = auth.principal.org_id;
    let (url, events) = input.validate()?;
    let w = s
        .store
        .write(work!(|c| webhooks::create(c, org, &url, &events)))
        .await?;
    Ok(created(format!("/api/v1/webhooks/{}", w.webhook.id), w))
}

#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = Uuid, Path)), responses((status = 200, body = Webhook)))]
async fn get(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<WebhookId>,
) -> ApiResult<Json<Webhook>> {
    auth.require(Action::ManageIntegrations)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store.read(work!(|c| webhooks::get(c, org, id))).await?,
    ))
}

/// Change a subscription's `url`, `events` or `active` (false pauses it:
/// events meanwhile are not sent, then or later). Send the `version` you
/// read. Deliveries already queued go to the new URL.
#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = Uuid, Path)), request_body = WebhookPatch,
    responses((status = 200, body = Webhook),
        (status = 409, description = "The subscription changed since `version`")))]
async fn update(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<WebhookId>,
    ApiJson(patch): ApiJson<WebhookPatch>,
) -> ApiResult<Json<Webhook>> {
    auth.require(Action::ManageIntegrations)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store
            .write(work!(|c| webhooks::update(c, org, id, &patch)))
            .await?,
    ))
}

/// Replace the signing secret and return the new one, this once. Every
/// delivery from now on, retries of queued ones included, is signed with
/// it; the old secret stops at once.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/rotate-secret", tag = "webhooks",
    params(("id" = Uuid, Path)), responses((status = 200, body = CreatedWebhook)))]
async fn rotate_secret(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<WebhookId>,
) -> ApiResult<Json<CreatedWebhook>> {
    auth.require(Action::ManageIntegrations)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store
            .write(work!(|c| webhooks::rotate_secret(c, org, id)))
            .await?,
    ))
}

/// Stop deliveries to a subscription; queued ones fail.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = Uuid, Path)), responses((status = 204)))]
async fn delete(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<WebhookId>,
) -> ApiResult<StatusCode> {
    auth.require(Action::ManageIntegrations)?;
    let org = auth.principal.org_id;
    s.store
        .write(work!(|c| webhooks::delete(c, org, id)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A subscription's deliveries, newest first: event, status, attempts and
/// the last error.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = Uuid, Path), PageParams),
    responses((status = 200, body = Page<WebhookDelivery>)))]
async fn deliveries(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<WebhookId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<WebhookDelivery>>> {
    auth.require(Action::ManageIntegrations)?;
    let org = auth.principal.org_id;
    let limit = page::limit(p.limit)?;
    let cursor = p.cursor;
    Ok(Json(
        s.store
            .read(work!(|c| async {
                webhooks::get(c, org, id).await?;
                outbox::webhook_deliveries(c, org, id, cursor.as_deref(), limit).await
            }))
            .await?,
    ))
}
