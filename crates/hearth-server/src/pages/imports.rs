//! The imports page: upload a CSV file of customers or leads, follow the
//! run's progress, read every problem of a failed one, revert a finished
//! one. Our own small script (static/imports.js) posts the file to
//! `POST /api/v1/imports?async=true` and polls the import it starts.

use super::{Chrome, Html, error_page, render};
use crate::AppState;
use crate::auth::PageAuth;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use hearth_domain::auth::Action;
use hearth_domain::import::Status;
use hearth_store::imports::{self, Import};
use hearth_store::work;

pub fn routes() -> Router<AppState> {
    Router::new().route("/imports", get(show))
}

/// Past imports the page lists.
const SHOWN: u64 = 50;

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    chrome: Chrome,
    imports: Vec<Import>,
    can_import: bool,
}

async fn show(State(s): State<AppState>, PageAuth(auth): PageAuth) -> Result<Html, Response> {
    auth.require(Action::ReadCustomers).map_err(error_page)?;
    let org = auth.principal.org_id;
    let page = s
        .store
        .read(work!(|c| imports::list(c, org, None, SHOWN)))
        .await
        .map_err(|e| error_page(e.into()))?;
    let mut shown = Vec::with_capacity(page.items.len());
    for import in page.items {
        shown.push(
            s.imports
                .observe(&s.store, org, import)
                .await
                .map_err(error_page)?,
        );
    }
    let role = auth.principal.role;
    render(&ImportsPage {
        chrome: Chrome::of(&auth),
        imports: shown,
        can_import: role.can(Action::WriteCustomers) || role.can(Action::WriteLeads),
    })
}

impl ImportsPage {
    /// Whether the Revert button is offered for an import.
    fn revertible(&self, import: &Import) -> bool {
        import.status == Status::Done && import.reverted_at.is_none()
    }
}
