use super::{Chrome, Html, error_page, render};
use crate::AppState;
use crate::auth::PageAuth;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use hearth_domain::customers::Customer;
use hearth_store::{customers, work};

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    chrome: Chrome,
    recent: Vec<Customer>,
}

pub async fn show(State(s): State<AppState>, PageAuth(auth): PageAuth) -> Result<Html, Response> {
    auth.require(hearth_domain::auth::Action::ReadCustomers)
        .map_err(error_page)?;
    let org = auth.principal.org_id;
    let recent = s
        .store
        .read(work!(|c| customers::recently_changed(c, org, 10)))
        .await
        .map_err(|e| error_page(e.into()))?;
    render(&Dashboard {
        chrome: Chrome::of(&auth),
        recent,
    })
}
