//! Live events over Server-Sent Events, and the incoming-call event.

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::extract::ApiJson;
use crate::live::LiveEvent;
use axum::Json;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use hearth_domain::OrgId;
use hearth_domain::auth::Action;
use hearth_store::caller_id::{self, Caller};
use hearth_store::work;
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(stream))
        .routes(routes!(incoming_call))
}

/// Live events of your organisation as `text/event-stream`: `incoming_call`
/// (data: an [`IncomingCall`]). Other organisations' events never appear.
#[utoipa::path(get, path = "/api/v1/events/stream", tag = "live",
    responses((status = 200, content_type = "text/event-stream", description = "one SSE event per live event"),
        (status = 401, body = Problem)))]
async fn stream(
    State(s): State<AppState>,
    auth: Auth,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let events = crate::live::sse_stream(&s.live, move |event| event.org_id == org);
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncomingCallInput {
    /// The caller's number as the phone system reports it.
    number: String,
}

/// What the `incoming_call` event carries.
#[derive(Clone, Serialize, ToSchema)]
pub struct IncomingCall {
    /// The number as reported.
    number: String,
    /// Its E.164 form.
    e164: String,
    /// The customers with that number (none: an unknown caller).
    items: Vec<Caller>,
}

/// A call is ringing: look the caller up and show it on every open
/// dashboard of the organisation. (The signed `/hooks/calls` hook does the
/// same for a telephony provider's `ringing` event.)
#[utoipa::path(post, path = "/api/v1/calls/incoming", tag = "live", request_body = IncomingCallInput,
    responses((status = 200, body = IncomingCall), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn incoming_call(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<IncomingCallInput>,
) -> ApiResult<Json<IncomingCall>> {
    auth.require(Action::ReadCustomers)?;
    let p = auth.principal;
    Ok(Json(
        announce_call(&s, p.org_id, &p.region, input.number).await?,
    ))
}

/// Looks the caller up and publishes the `incoming_call` card to the
/// organisation's open pages.
pub(crate) async fn announce_call(
    s: &AppState,
    org: OrgId,
    region: &str,
    number: String,
) -> ApiResult<IncomingCall> {
    let keys = super::search::caller_keys(&number, region)?;
    let lookup = keys.clone();
    let items = s
        .store
        .read(work!(|c| caller_id::lookup(c, org, &lookup)))
        .await?;
    let call = IncomingCall {
        number,
        e164: keys[0].clone(),
        items,
    };
    s.live
        .publish(LiveEvent {
            org_id: org,
            kind: "incoming_call".to_string(),
            data: serde_json::to_value(&call).unwrap_or_default(),
        })
        .await?;
    Ok(call)
}
