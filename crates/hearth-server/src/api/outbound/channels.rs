use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiResult;
use axum::Json;
use axum::extract::State;
use hearth_domain::auth::Action;
use hearth_domain::outbox::ChannelStatus;
use hearth_store::{Store, outbox, work};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// Every delivery and inbound channel of the organisation: the last
/// success, the last failure with its error, the queue and dead letters.
#[utoipa::path(get, path = "/api/v1/channels", tag = "messages",
    responses((status = 200, body = Vec<ChannelStatus>)))]
async fn list(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<ChannelStatus>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store
            .read(work!(|c| outbox::channel_status(c, Some(org))))
            .await?,
    ))
}

/// The installation's channels for `/healthz`: outcomes and queues over all
/// organisations, without error text (anyone may read `/healthz`).
pub async fn health_detail(store: &Store) -> hearth_store::Result<Vec<ChannelStatus>> {
    store.read(work!(|c| outbox::channel_status(c, None))).await
}
