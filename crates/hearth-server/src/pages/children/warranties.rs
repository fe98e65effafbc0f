//! The page of warranties about to end, across all customers.

use super::{PageResult, page_err};
use crate::AppState;
use crate::auth::PageAuth;
use crate::pages::{Chrome, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hearth_domain::auth::Action;
use hearth_domain::equipment::WARRANTY_WARNING_DAYS;
use hearth_store::equipment::ExpiringWarranty;
use hearth_store::orgs::now;
use hearth_store::page::Page;
use hearth_store::{StoreError, equipment, work};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct WarrantyQuery {
    within_days: Option<String>,
    cursor: Option<String>,
}

pub struct WarrantyRow {
    pub w: ExpiringWarranty,
    pub days_left: i64,
    /// Inside the window the card highlights, too.
    pub soon: bool,
}

#[derive(Template)]
#[template(path = "equipment_warranties.html")]
struct WarrantiesPage {
    chrome: Chrome,
    within_days: String,
    error: Option<String>,
    rows: Vec<WarrantyRow>,
    next_cursor: Option<String>,
}

pub async fn warranties(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(q): Query<WarrantyQuery>,
) -> PageResult {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let org = auth.principal.org_id;
    let typed = q.within_days.unwrap_or_default();
    let mut page = WarrantiesPage {
        chrome: Chrome::of(&auth),
        within_days: typed.clone(),
        error: None,
        rows: vec![],
        next_cursor: None,
    };
    let within_days = match typed.trim() {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                page.error = Some("Days: enter a whole number.".into());
                return Ok(page.respond());
            }
        },
    };
    let cursor = q.cursor;
    let found = s
        .store
        .read(work!(|c| equipment::expiring_warranties(
            c,
            org,
            within_days,
            cursor.as_deref(),
            hearth_store::page::DEFAULT_LIMIT
        )))
        .await;
    let Page { items, next_cursor } = match found {
        Ok(p) => p,
        Err(StoreError::Invalid(why)) => {
            page.error = Some(match why.0.first() {
                Some(e) if e.field == "within_days" => format!("Days {}.", e.message),
                _ => "That page link has expired; start again from the first page.".into(),
            });
            return Ok(page.respond());
        }
        Err(e) => return Err(page_err(e)),
    };
    let today = now().date_naive();
    page.rows = items
        .into_iter()
        .map(|w| {
            let days_left = w
                .equipment
                .fields
                .warranty_expires_on
                .map_or(0, |d| (d - today).num_days());
            WarrantyRow {
                soon: days_left <= WARRANTY_WARNING_DAYS,
                days_left,
                w,
            }
        })
        .collect();
    page.next_cursor = next_cursor;
    Ok(page.respond())
}

impl WarrantiesPage {
    fn respond(self) -> Response {
        let status = if self.error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        match render(&self) {
            Ok(html) => (status, html).into_response(),
            Err(r) => r,
        }
    }
}
