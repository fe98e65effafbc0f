//! CSV exports, streamed a page at a time: customers, leads, and (from the
//! segments routes) a segment's members, all through [`stream_csv`].

use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiResult;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use hearth_domain::OrgId;
use hearth_domain::auth::Action;
use hearth_store::exports::{self, After, Export};
use hearth_store::{Store, work};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(customers_csv))
        .routes(routes!(leads_csv))
}

/// Every live customer as CSV, in name order. Streamed: the server holds
/// one page of rows at a time, whatever the number of customers.
#[utoipa::path(get, path = "/api/v1/exports/customers.csv", tag = "exports",
    responses((status = 200, content_type = "text/csv", body = String)))]
async fn customers_csv(State(s): State<AppState>, auth: Auth) -> ApiResult<Response> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(stream_csv(s.store, org, Export::Customers, "customers.csv"))
}

/// Every live lead as CSV, oldest first, with its owner's email, pipeline,
/// stage and tags by name (the columns a lead import reads). Streamed.
#[utoipa::path(get, path = "/api/v1/exports/leads.csv", tag = "exports",
    responses((status = 200, content_type = "text/csv", body = String)))]
async fn leads_csv(State(s): State<AppState>, auth: Auth) -> ApiResult<Response> {
    auth.require(Action::ReadLeads)?;
    let org = auth.principal.org_id;
    Ok(stream_csv(s.store, org, Export::Leads, "leads.csv"))
}

/// `export` as a streamed CSV download named `filename`. Each page is its
/// own short read; a failure mid-way ends the stream with an error, so the
/// client sees a broken download rather than a silently short file.
pub(crate) fn stream_csv(store: Store, org: OrgId, export: Export, filename: &str) -> Response {
    enum Next {
        Header,
        Page(Option<After>),
        Done,
    }
    let pages = futures::stream::unfold(Next::Header, move |next| {
        let store = store.clone();
        let export = export.clone();
        async move {
            let after = match next {
                Next::Done => return None,
                Next::Header => return Some((exports::header(&export), Next::Page(None))),
                Next::Page(after) => after,
            };
            let page = store
                .read_scan(work!(|c| exports::page(c, org, &export, after.as_ref())))
                .await;
            Some(match page {
                Ok((bytes, Some(next))) => (Ok(bytes), Next::Page(Some(next))),
                Ok((bytes, None)) => (Ok(bytes), Next::Done),
                Err(e) => {
                    tracing::warn!(error = %e, "export stopped");
                    (Err(e), Next::Done)
                }
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
