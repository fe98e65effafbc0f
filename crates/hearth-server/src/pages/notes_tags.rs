//! The customer card's insights strip, tags, call status and notes, and the
//! tag settings page. Every form posts `_csrf` and goes back to the card.

use super::error_page;
use crate::AppState;
use crate::auth::{Auth, PageAuth};
use crate::error::AppError;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hearth_domain::auth::Action;
use hearth_domain::customers::Customer;
use hearth_domain::insights::{CallStatus, Insights};
use hearth_domain::notes::Note;
use hearth_domain::tags::Tag;
use hearth_domain::{CustomerId, Invalid};
use hearth_store::{Conn, call_status, insights, notes, tags, work};
use serde::Deserialize;

mod note_forms;
mod tag_settings;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/customers/{id}/notes", post(note_forms::add))
        .route("/notes/{id}", post(note_forms::edit))
        .route("/notes/{id}/edit", get(note_forms::edit_form))
        .route("/notes/{id}/pin", post(note_forms::pin))
        .route("/notes/{id}/delete", post(note_forms::delete))
        .route("/customers/{id}/tags", post(add_tag))
        .route("/customers/{id}/tags/remove", post(remove_tag))
        .route("/customers/{id}/call-status", post(set_call_status))
        .route(
            "/settings/tags",
            get(tag_settings::show).post(tag_settings::create),
        )
        .route("/settings/tags/{id}", post(tag_settings::update))
        .route("/settings/tags/{id}/delete", post(tag_settings::delete))
}

/// The card shows this many notes; a customer with more is rare, and the
/// API pages through all of them.
const NOTES_SHOWN: u64 = 100;
/// Organisations define tens of tags, not hundreds.
const TAGS_LISTED: u64 = 200;

/// One of the four call-status buttons.
pub struct CallButton {
    pub value: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What the customer card shows from notes, tags and call status.
pub struct NotesTagsCard {
    pub insights: Insights,
    pub notes: Vec<Note>,
    pub more_notes: bool,
    /// The organisation's tags the customer does not carry yet.
    pub addable_tags: Vec<Tag>,
    pub call_buttons: Vec<CallButton>,
}

/// Reads the card's part inside the card's own unit of work.
pub async fn load_card(
    c: &mut Conn,
    org: hearth_domain::OrgId,
    customer: &Customer,
) -> hearth_store::Result<NotesTagsCard> {
    let insights = insights::of(c, org, customer).await?;
    let page = notes::list(c, org, customer.id, None, NOTES_SHOWN).await?;
    let all_tags = tags::list(c, org, None, TAGS_LISTED).await?.items;
    let addable_tags = all_tags
        .into_iter()
        .filter(|t| !insights.tags.iter().any(|on| on.id == t.id))
        .collect();
    let current = insights.call_status.as_ref().map(|s| s.status);
    let call_buttons = CallStatus::ALL
        .into_iter()
        .map(|s| CallButton {
            value: s.as_str(),
            label: s.label(),
            current: current == Some(s),
        })
        .collect();
    Ok(NotesTagsCard {
        insights,
        more_notes: page.next_cursor.is_some(),
        notes: page.items,
        addable_tags,
        call_buttons,
    })
}

fn page_err(e: impl Into<AppError>) -> Response {
    error_page(e.into())
}

fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, Response> {
    raw.parse().map_err(|_| page_err(AppError::NotFound))
}

/// CSRF first, then the role: a forged form learns nothing.
fn allowed(auth: &Auth, csrf: &str, action: Action) -> Result<(), Response> {
    auth.verify_csrf(csrf)
        .and_then(|()| auth.require(action))
        .map_err(page_err)
}

fn to_card(customer: CustomerId, anchor: &str) -> Response {
    Redirect::to(&format!("/customers/{customer}#{anchor}")).into_response()
}

// ---- tags and call status on the card ---------------------------------------

#[derive(Deserialize)]
pub struct TagNameForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

async fn add_tag(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<TagNameForm>,
) -> Response {
    change_tag(s, auth, id, form, true).await
}

async fn remove_tag(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<TagNameForm>,
) -> Response {
    change_tag(s, auth, id, form, false).await
}

async fn change_tag(s: AppState, auth: Auth, id: String, form: TagNameForm, add: bool) -> Response {
    if let Err(r) = allowed(&auth, &form.csrf, Action::WriteCustomers) {
        return r;
    }
    let id: CustomerId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let p = auth.principal;
    let name = form.name;
    let result = if add {
        s.store
            .write(work!(|c| tags::attach(c, p.org_id, &p.actor, id, &name)))
            .await
            .map(|_| ())
    } else {
        s.store
            .write(work!(|c| tags::detach(c, p.org_id, &p.actor, id, &name)))
            .await
    };
    match result {
        Ok(()) => to_card(id, "tags"),
        Err(e) => page_err(e),
    }
}

#[derive(Deserialize)]
pub struct CallStatusForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    status: String,
}

async fn set_call_status(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<CallStatusForm>,
) -> Response {
    if let Err(r) = allowed(&auth, &form.csrf, Action::WriteCustomers) {
        return r;
    }
    let id: CustomerId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let Some(status) = CallStatus::parse(&form.status) else {
        return page_err(Invalid::field(
            "status",
            "must be called, no_answer, left_voicemail or spoke",
        ));
    };
    let p = auth.principal;
    match s
        .store
        .write(work!(|c| call_status::set(
            c, p.org_id, &p.actor, id, status
        )))
        .await
    {
        Ok(_) => to_card(id, "call-status"),
        Err(e) => page_err(e),
    }
}
