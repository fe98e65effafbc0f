//! Writing, editing, pinning and deleting notes from the customer card.

use super::{allowed, page_err, parse_id, to_card};
use crate::AppState;
use crate::auth::PageAuth;
use crate::pages::{Chrome, CsrfOnly, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hearth_domain::auth::Action;
use hearth_domain::customers::Customer;
use hearth_domain::notes::{Note, NoteInput, NotePatch};
use hearth_domain::{CustomerId, Invalid, NoteId, OrgId};
use hearth_store::{StoreError, customers, notes, work};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    body: String,
    /// A checkbox: present ("on") when ticked.
    pinned: Option<String>,
    version: Option<i64>,
}

/// A note being written or edited again after a problem.
#[derive(Template)]
#[template(path = "note_form.html")]
struct NoteFormPage {
    chrome: Chrome,
    customer: Customer,
    /// `None` while writing a new note.
    note: Option<Note>,
    body: String,
    pinned: bool,
    version: i64,
    error: Option<String>,
    notice: Option<String>,
}

impl NoteFormPage {
    fn respond(self) -> Response {
        let status = if self.error.is_some() || self.notice.is_some() {
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

fn body_error(errors: &Invalid) -> String {
    errors
        .0
        .iter()
        .map(|e| format!("The note {}.", e.message))
        .collect::<Vec<_>>()
        .join(" ")
}

pub async fn add(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> Response {
    if let Err(r) = allowed(&auth, &form.csrf, Action::WriteCustomers) {
        return r;
    }
    let id: CustomerId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let input = NoteInput {
        body: form.body.clone(),
        pinned: form.pinned.is_some(),
    };
    let p = auth.principal.clone();
    match s
        .store
        .write(work!(|c| notes::create(c, p.org_id, &p.actor, id, &input)))
        .await
    {
        Ok(_) => to_card(id, "notes"),
        Err(StoreError::Invalid(errors)) => {
            let org = p.org_id;
            match s
                .store
                .read(work!(|c| customers::get(c, org, id, false)))
                .await
            {
                Ok(customer) => NoteFormPage {
                    chrome: Chrome::of(&auth),
                    customer,
                    note: None,
                    body: form.body,
                    pinned: form.pinned.is_some(),
                    version: 0,
                    error: Some(body_error(&errors)),
                    notice: None,
                }
                .respond(),
                Err(e) => page_err(e),
            }
        }
        Err(e) => page_err(e),
    }
}

/// A note and the customer it is on.
async fn note_and_customer(
    s: &AppState,
    org: OrgId,
    id: NoteId,
) -> Result<(Note, Customer), StoreError> {
    s.store
        .read(work!(|c| async {
            let note = notes::get(c, org, id).await?;
            let customer = customers::get(c, org, note.customer_id, true).await?;
            Ok((note, customer))
        }))
        .await
}

pub async fn edit_form(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
) -> Response {
    if let Err(e) = auth.require(Action::ReadCustomers) {
        return page_err(e);
    }
    let id: NoteId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    match note_and_customer(&s, auth.principal.org_id, id).await {
        Ok((note, customer)) => NoteFormPage {
            chrome: Chrome::of(&auth),
            customer,
            body: note.body.clone(),
            pinned: note.pinned,
            version: note.version,
            note: Some(note),
            error: None,
            notice: None,
        }
        .respond(),
        Err(e) => page_err(e),
    }
}

pub async fn edit(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> Response {
    if let Err(r) = allowed(&auth, &form.csrf, Action::WriteCustomers) {
        return r;
    }
    let id: NoteId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let patch = NotePatch {
        version: form.version.unwrap_or(-1),
        body: Some(form.body.clone()),
        pinned: None,
    };
    let p = auth.principal.clone();
    let result = s
        .store
        .write(work!(|c| notes::update(c, p.org_id, &p.actor, id, &patch)))
        .await;
    let (error, notice) = match result {
        Ok(note) => return to_card(note.customer_id, &format!("note-{}", note.id)),
        Err(StoreError::Invalid(errors)) => (Some(body_error(&errors)), None),
        Err(StoreError::Conflict { .. }) => (
            None,
            Some(
                "Someone else changed this note while you were editing. The saved text is shown \
                 below yours; save again to replace it with yours."
                    .to_string(),
            ),
        ),
        Err(e) => return page_err(e),
    };
    match note_and_customer(&s, p.org_id, id).await {
        Ok((note, customer)) => NoteFormPage {
            chrome: Chrome::of(&auth),
            customer,
            body: form.body,
            pinned: note.pinned,
            // After a conflict, saving again means "mine wins", knowingly.
            version: if notice.is_some() {
                note.version
            } else {
                form.version.unwrap_or(note.version)
            },
            note: Some(note),
            error,
            notice,
        }
        .respond(),
        Err(e) => page_err(e),
    }
}

#[derive(Deserialize)]
pub struct PinForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    version: i64,
    pinned: bool,
}

pub async fn pin(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<PinForm>,
) -> Response {
    if let Err(r) = allowed(&auth, &form.csrf, Action::WriteCustomers) {
        return r;
    }
    let id: NoteId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let patch = NotePatch {
        version: form.version,
        body: None,
        pinned: Some(form.pinned),
    };
    let p = auth.principal;
    let result = s
        .store
        .write(work!(|c| async {
            match notes::update(c, p.org_id, &p.actor, id, &patch).await {
                // Pinning does not touch the text, so a concurrent edit is no
                // reason to refuse it: pin the current version.
                Err(StoreError::Conflict { current_version }) => {
                    let again = NotePatch {
                        version: current_version,
                        ..patch.clone()
                    };
                    notes::update(c, p.org_id, &p.actor, id, &again).await
                }
                other => other,
            }
        }))
        .await;
    match result {
        Ok(note) => to_card(note.customer_id, "notes"),
        Err(e) => page_err(e),
    }
}

pub async fn delete(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Err(r) = allowed(&auth, &form.csrf, Action::WriteCustomers) {
        return r;
    }
    let id: NoteId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let p = auth.principal;
    let result = s
        .store
        .write(work!(|c| async {
            let note = notes::get(c, p.org_id, id).await?;
            notes::delete(c, p.org_id, &p.actor, id).await?;
            Ok(note.customer_id)
        }))
        .await;
    match result {
        Ok(customer) => to_card(customer, "notes"),
        Err(e) => page_err(e),
    }
}
