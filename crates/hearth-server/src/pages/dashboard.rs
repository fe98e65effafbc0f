use super::comms::me;
use super::{Chrome, CsrfOnly, Html, error_page, render};
use crate::AppState;
use crate::auth::PageAuth;
use crate::error::AppError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::ReminderId;
use hearth_domain::auth::Action;
use hearth_domain::customers::Customer;
use hearth_domain::reminders::Reminder;
use hearth_store::{customers, reminders, work};

/// Reminders shown on the dashboard; the API pages through the rest.
const REMINDERS_SHOWN: u64 = 20;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    chrome: Chrome,
    recent: Vec<Customer>,
    reminders: Vec<Reminder>,
    more_reminders: bool,
}

pub async fn show(State(s): State<AppState>, PageAuth(auth): PageAuth) -> Result<Html, Response> {
    auth.require(Action::ReadCustomers).map_err(error_page)?;
    let org = auth.principal.org_id;
    let user = me(&auth);
    let (recent, due) = s
        .store
        .read(work!(|c| async {
            let recent = customers::recently_changed(c, org, 10).await?;
            let due = reminders::list_open(c, org, user, None, REMINDERS_SHOWN).await?;
            Ok((recent, due))
        }))
        .await
        .map_err(|e| error_page(e.into()))?;
    render(&Dashboard {
        chrome: Chrome::of(&auth),
        recent,
        more_reminders: due.next_cursor.is_some(),
        reminders: due.items,
    })
}

/// Marks a reminder dealt with and goes back to the dashboard.
pub async fn dismiss_reminder(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    let Ok(id) = id.parse::<ReminderId>() else {
        return error_page(AppError::NotFound);
    };
    if let Err(e) = auth
        .verify_csrf(&form.csrf)
        .and_then(|()| auth.require(Action::WriteCustomers))
    {
        return error_page(e);
    }
    let p = auth.principal.clone();
    match s
        .store
        .write(work!(|c| reminders::dismiss(c, p.org_id, &p.actor, id)))
        .await
    {
        Ok(_) => Redirect::to("/").into_response(),
        Err(e) => error_page(e.into()),
    }
}
