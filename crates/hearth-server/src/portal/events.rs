//! Live job status for the signed-in customer (`/portal/api/events`):
//! the organisation's `job_status` events, only for this customer's jobs.

use super::session::Customer;
use crate::AppState;
use crate::error::ApiResult;
use crate::live::JOB_STATUS;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use std::convert::Infallible;

pub async fn stream(
    State(s): State<AppState>,
    me: Customer,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let org = me.who.org_id;
    let customer = serde_json::to_value(me.who.customer_id).unwrap_or_default();
    let events = crate::live::sse_stream(&s.live, move |event| {
        event.org_id == org && event.kind == JOB_STATUS && event.data["customer_id"] == customer
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
