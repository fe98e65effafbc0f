//! CSV exports, streamed a page at a time.

use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiResult;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use hearth_domain::OrgId;
use hearth_domain::auth::Action;
use hearth_store::exports::{self, After, SelectStatement};
use hearth_store::{Store, work};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(customers_csv))
}

/// Every live customer as CSV, in name order. Streamed: the server holds
/// one page of rows at a time, whatever the number of customers.
#[utoipa::path(get, path = "/api/v1/exports/customers.csv", tag = "exports",
    responses((status = 200, content_type = "text/csv", body = String)))]
async fn customers_csv(State(s): State<AppState>, auth: Auth) -> ApiResult<Response> {
    auth.require(Action::ReadCustomers)?;
    Ok(stream_customers(
        s.store,
        auth.principal.org_id,
        None,
        "customers.csv",
    ))
}

/// The customers `matching` selects (ids; all live customers when `None`)
/// as a streamed CSV download named `filename`. Each page is its own short
/// read; a failure mid-way ends the stream with an error, so the client
/// sees a broken download rather than a silently short file.
pub(crate) fn stream_customers(
    store: Store,
    org: OrgId,
    matching: Option<SelectStatement>,
    filename: &str,
) -> Response {
    enum State {
        Header,
        Next(Option<After>),
        Done,
    }
    let pages = futures::stream::unfold(State::Header, move |state| {
        let store = store.clone();
        let matching = matching.clone();
        async move {
            let after = match state {
                State::Done => return None,
                State::Header => {
                    return Some((exports::customers_header(), State::Next(None)));
                }
                State::Next(after) => after,
            };
            let page = store
                .read(work!(|c| exports::customers_page(
                    c,
                    org,
                    matching.as_ref(),
                    after.as_ref()
                )))
                .await;
            Some(match page {
                Ok((bytes, Some(next))) => (Ok(bytes), State::Next(Some(next))),
                Ok((bytes, None)) => (Ok(bytes), State::Done),
                Err(e) => (Err(e), State::Done),
            })
        }
    });
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(pages),
    )
        .into_response()
}
