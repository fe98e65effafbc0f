//! The customer card's insights strip, tags, call status and notes, and the
//! tag settings page. Every form posts `_csrf` and goes back to the card.

use super::{Chrome, CsrfOnly, error_page, render};
use crate::AppState;
use crate::auth::{Auth, PageAuth};
use crate::error::AppError;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hearth_domain::auth::Action;
use hearth_domain::customers::Customer;
use hearth_domain::insights::{CallStatus, Insights};
use hearth_domain::notes::{Note, NoteInput, NotePatch};
use hearth_domain::tags::{DEFAULT_COLOUR, Tag, TagInput, TagPatch};
use hearth_domain::{CustomerId, Invalid, NoteId, TagId};
use hearth_store::{Conn, StoreError, call_status, customers, insights, notes, tags, work};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/customers/{id}/notes", post(add_note))
        .route("/notes/{id}", post(edit_note))
        .route("/notes/{id}/edit", get(edit_note_form))
        .route("/notes/{id}/pin", post(pin_note))
        .route("/notes/{id}/delete", post(delete_note))
        .route("/customers/{id}/tags", post(add_tag))
        .route("/customers/{id}/tags/remove", post(remove_tag))
        .route("/customers/{id}/call-status", post(set_call_status))
        .route("/settings/tags", get(settings).post(create_tag))
        .route("/settings/tags/{id}", post(update_tag))
        .route("/settings/tags/{id}/delete", post(delete_tag))
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

// ---- notes -----------------------------------------------------------------

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

async fn add_note(
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
    org: hearth_domain::OrgId,
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

async fn edit_note_form(
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

async fn edit_note(
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

async fn pin_note(
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

async fn delete_note(
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

// ---- settings: the organisation's tags --------------------------------------

/// One tag on the settings page.
struct TagRow {
    tag: Tag,
    customers: i64,
}

#[derive(Template)]
#[template(path = "settings_tags.html")]
struct SettingsPage {
    chrome: Chrome,
    rows: Vec<TagRow>,
    can_manage: bool,
    /// What the "new tag" form holds after a refused attempt.
    new_name: String,
    new_colour: String,
    /// Problems with the last submission, with the tag they concern.
    errors: Vec<String>,
}

async fn settings_page(
    s: &AppState,
    auth: &Auth,
    new_name: String,
    new_colour: String,
    errors: Vec<String>,
) -> Response {
    if let Err(e) = auth.require(Action::ReadCustomers) {
        return page_err(e);
    }
    let org = auth.principal.org_id;
    let loaded = s
        .store
        .read(work!(|c| async {
            let list = tags::list(c, org, None, TAGS_LISTED).await?.items;
            let usage = tags::usage(c, org).await?;
            Ok((list, usage))
        }))
        .await;
    let (list, usage) = match loaded {
        Ok(v) => v,
        Err(e) => return page_err(e),
    };
    let rows = list
        .into_iter()
        .map(|tag| TagRow {
            customers: usage
                .iter()
                .find(|(id, _)| *id == tag.id)
                .map_or(0, |(_, n)| *n),
            tag,
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SettingsPage {
        chrome: Chrome::of(auth),
        rows,
        can_manage: auth.principal.role.can(Action::ManageTags),
        new_name,
        new_colour,
        errors,
    };
    match render(&page) {
        Ok(html) => (status, html).into_response(),
        Err(r) => r,
    }
}

async fn settings(State(s): State<AppState>, PageAuth(auth): PageAuth) -> Response {
    settings_page(&s, &auth, String::new(), DEFAULT_COLOUR.into(), vec![]).await
}

#[derive(Deserialize)]
pub struct TagForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    version: Option<i64>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    colour: String,
}

fn messages(what: &str, errors: &Invalid) -> Vec<String> {
    errors
        .0
        .iter()
        .map(|e| format!("{what}: {} {}.", e.field, e.message))
        .collect()
}

async fn create_tag(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Form(form): Form<TagForm>,
) -> Response {
    if let Err(r) = allowed(&auth, &form.csrf, Action::ManageTags) {
        return r;
    }
    let input = TagInput {
        name: form.name.clone(),
        colour: Some(form.colour.clone()).filter(|c| !c.trim().is_empty()),
    };
    let p = auth.principal.clone();
    match s
        .store
        .write(work!(|c| tags::create(c, p.org_id, &p.actor, &input)))
        .await
    {
        Ok(_) => Redirect::to("/settings/tags").into_response(),
        Err(StoreError::Invalid(errors)) => {
            let errors = messages("New tag", &errors);
            settings_page(&s, &auth, form.name, form.colour, errors).await
        }
        Err(e) => page_err(e),
    }
}

async fn update_tag(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<TagForm>,
) -> Response {
    if let Err(r) = allowed(&auth, &form.csrf, Action::ManageTags) {
        return r;
    }
    let id: TagId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let patch = TagPatch {
        version: form.version.unwrap_or(-1),
        name: Some(form.name.clone()),
        colour: Some(form.colour.clone()),
    };
    let p = auth.principal.clone();
    let result = s
        .store
        .write(work!(|c| tags::update(c, p.org_id, &p.actor, id, &patch)))
        .await;
    let what = format!("Tag “{}”", form.name.trim());
    let errors = match result {
        Ok(_) => return Redirect::to("/settings/tags").into_response(),
        Err(StoreError::Invalid(errors)) => messages(&what, &errors),
        Err(StoreError::Conflict { .. }) => vec![format!(
            "{what}: someone else changed this tag meanwhile; its saved name and colour are shown below. \
             Make your change again."
        )],
        Err(e) => return page_err(e),
    };
    settings_page(&s, &auth, String::new(), DEFAULT_COLOUR.into(), errors).await
}

async fn delete_tag(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Err(r) = allowed(&auth, &form.csrf, Action::ManageTags) {
        return r;
    }
    let id: TagId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let p = auth.principal;
    match s
        .store
        .write(work!(|c| tags::delete(c, p.org_id, &p.actor, id)))
        .await
    {
        Ok(()) => Redirect::to("/settings/tags").into_response(),
        Err(e) => page_err(e),
    }
}
