//! Segment pages: the list with counts, a segment's customers, and the
//! builder (our own small script, static/segments.js, counts the filter
//! live through `POST /api/v1/segments/count` and saves through the API).

use super::{Chrome, Html, error_page, render};
use crate::AppState;
use crate::auth::PageAuth;
use crate::error::AppError;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use hearth_domain::CustomerId;
use hearth_domain::auth::Action;
use hearth_domain::segments::filter::Field;
use hearth_domain::segments::{SegmentMember, SegmentSummary};
use hearth_store::{page, segments, work};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/segments", get(list))
        // Not /segments/new: that is the New segment.
        .route("/segments/build", get(builder_new))
        .route("/segments/{key}", get(show))
        .route("/segments/{key}/edit", get(builder_edit))
}

#[derive(Template)]
#[template(path = "segments/list.html")]
struct ListPage {
    chrome: Chrome,
    segments: Vec<SegmentSummary>,
    can_manage: bool,
}

async fn list(State(s): State<AppState>, PageAuth(auth): PageAuth) -> Result<Html, Response> {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let org = auth.principal.org_id;
    let segments = s
        .store
        .read(work!(|c| segments::list(c, org)))
        .await
        .map_err(page_err)?;
    render(&ListPage {
        chrome: Chrome::of(&auth),
        segments,
        can_manage: auth.principal.role.can(Action::ManageSegments),
    })
}

#[derive(Template)]
#[template(path = "segments/show.html")]
struct ShowPage {
    chrome: Chrome,
    segment: SegmentSummary,
    members: Vec<SegmentMember>,
    next_cursor: Option<String>,
    can_manage: bool,
}

#[derive(Deserialize)]
pub struct ShowParams {
    cursor: Option<String>,
}

/// Customers per page of the segment page.
const MEMBERS_SHOWN: u64 = 50;

async fn show(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(key): Path<String>,
    Query(p): Query<ShowParams>,
) -> Result<Html, Response> {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let org = auth.principal.org_id;
    let after =
        crate::api::leads::decode_cursor::<CustomerId>(p.cursor.as_deref()).map_err(page_err)?;
    let (segment, page) = s
        .store
        .read_scan(work!(|c| async {
            let segment = segments::find(c, org, &key).await?;
            let count = segments::count(c, org, &segment.filter, false).await?;
            let page = segments::members(c, org, &segment.filter, after, MEMBERS_SHOWN).await?;
            Ok((segments::summary(segment, count), page))
        }))
        .await
        .map_err(page_err)?;
    let page::Page { items, next_cursor } = page;
    render(&ShowPage {
        chrome: Chrome::of(&auth),
        segment,
        members: items,
        next_cursor,
        can_manage: auth.principal.role.can(Action::ManageSegments),
    })
}

fn page_err(e: impl Into<AppError>) -> Response {
    error_page(e.into())
}

/// A field the builder offers, with its operators and fixed choices.
struct FieldOption {
    name: &'static str,
    ops: String,
    choices: String,
    number: bool,
}

#[derive(Template)]
#[template(path = "segments/builder.html")]
struct BuilderPage {
    chrome: Chrome,
    /// The saved segment being edited, as JSON for the script.
    existing: Option<String>,
    fields: Vec<FieldOption>,
}

fn builder(auth: &crate::auth::Auth, existing: Option<String>) -> Result<Html, Response> {
    let fields = Field::ALL
        .iter()
        .map(|f| FieldOption {
            name: f.as_str(),
            ops: f
                .ops()
                .iter()
                .map(|o| o.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            choices: f.choices().unwrap_or_default().join(" "),
            number: f.takes_number(),
        })
        .collect();
    render(&BuilderPage {
        chrome: Chrome::of(auth),
        existing,
        fields,
    })
}

async fn builder_new(PageAuth(auth): PageAuth) -> Result<Html, Response> {
    auth.require(Action::ManageSegments).map_err(page_err)?;
    builder(&auth, None)
}

async fn builder_edit(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(key): Path<String>,
) -> Result<Html, Response> {
    auth.require(Action::ManageSegments).map_err(page_err)?;
    let org = auth.principal.org_id;
    let id = segments::saved_id(&key).map_err(page_err)?;
    let saved = s
        .store
        .read(work!(|c| segments::get_saved(c, org, id)))
        .await
        .map_err(page_err)?;
    let json =
        serde_json::to_string(&saved).map_err(|e| page_err(AppError::Internal(e.to_string())))?;
    builder(&auth, Some(json))
}
