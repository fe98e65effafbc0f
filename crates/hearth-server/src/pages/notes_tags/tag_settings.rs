//! Settings → Tags: the organisation creates, renames, recolours and
//! deletes its tags.

use super::{TAGS_LISTED, allowed, page_err, parse_id};
use crate::AppState;
use crate::auth::{Auth, PageAuth};
use crate::pages::{Chrome, CsrfOnly, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::auth::Action;
use hearth_domain::tags::{DEFAULT_COLOUR, Tag, TagInput, TagPatch};
use hearth_domain::{Invalid, TagId};
use hearth_store::{StoreError, tags, work};
use serde::Deserialize;

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

pub async fn show(State(s): State<AppState>, PageAuth(auth): PageAuth) -> Response {
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

pub async fn create(
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

pub async fn update(
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

pub async fn delete(
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
