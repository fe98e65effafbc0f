//! Settings › Web forms: capture forms and the HTML to embed them.

use super::page_err;
use super::path_id;
use super::settings::allowed;
use crate::AppState;
use crate::api::leads::{FormView, base_url};
use crate::auth::{Auth, PageAuth};
use crate::pages::{Chrome, CsrfOnly, Html, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::auth::Action;
use hearth_domain::leads::form::LeadFormInput;
use hearth_domain::{LeadFormId, PipelineId};
use hearth_store::leads::{forms as store_forms, pipelines as store_pipelines};
use hearth_store::{StoreError, work};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "leads/settings_forms.html")]
struct FormsPage {
    chrome: Chrome,
    forms: Vec<(FormView, String)>,
    pipelines: Vec<(String, String)>,
    notice: Option<String>,
}

async fn forms_page(
    s: &AppState,
    auth: &Auth,
    headers: &HeaderMap,
    notice: Option<String>,
) -> Result<Html, Response> {
    let org = auth.principal.org_id;
    let (found, all) = s
        .store
        .read(work!(|c| async {
            Ok((
                store_forms::list(c, org).await?,
                store_pipelines::list(c, org).await?,
            ))
        }))
        .await
        .map_err(page_err)?;
    let base = base_url(s, headers);
    let name_of = |id: PipelineId| {
        all.iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    };
    render(&FormsPage {
        chrome: Chrome::of(auth),
        forms: found
            .into_iter()
            .map(|f| {
                let pipeline = name_of(f.pipeline_id);
                (FormView::new(f, &base), pipeline)
            })
            .collect(),
        pipelines: all
            .iter()
            .map(|p| (p.id.to_string(), p.name.clone()))
            .collect(),
        notice,
    })
}

pub async fn forms(
    State(s): State<AppState>,
    headers: HeaderMap,
    PageAuth(auth): PageAuth,
) -> Response {
    if let Err(e) = auth.require(Action::ManagePipelines) {
        return page_err(e);
    }
    match forms_page(&s, &auth, &headers, None).await {
        Ok(html) => html.into_response(),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct NewFormForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    pipeline_id: String,
    /// One origin per line.
    #[serde(default)]
    allowed_origins: String,
    #[serde(default)]
    redirect_url: String,
}

async fn forms_done(
    s: &AppState,
    auth: &Auth,
    headers: &HeaderMap,
    result: Result<(), StoreError>,
) -> Response {
    let (status, notice) = match result {
        Ok(()) => return Redirect::to("/settings/forms").into_response(),
        Err(StoreError::Invalid(i)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            i.summary().replace('_', " "),
        ),
        Err(e) => return page_err(e),
    };
    match forms_page(s, auth, headers, Some(notice)).await {
        Ok(html) => (status, html).into_response(),
        Err(r) => r,
    }
}

pub async fn create_form(
    State(s): State<AppState>,
    headers: HeaderMap,
    PageAuth(auth): PageAuth,
    Form(form): Form<NewFormForm>,
) -> Response {
    if let Err(r) = allowed(&auth, &form.csrf) {
        return r;
    }
    let input = LeadFormInput {
        name: form.name,
        pipeline_id: form.pipeline_id.parse().ok(),
        allowed_origins: form
            .allowed_origins
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        redirect_url: Some(form.redirect_url),
    };
    let p = auth.principal.clone();
    let result = s
        .store
        .write(work!(|c| store_forms::create(
            c, p.org_id, &p.actor, &input
        )))
        .await
        .map(|_| ());
    forms_done(&s, &auth, &headers, result).await
}

pub async fn delete_form(
    State(s): State<AppState>,
    headers: HeaderMap,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Err(r) = allowed(&auth, &form.csrf) {
        return r;
    }
    let id: LeadFormId = match path_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let p = auth.principal.clone();
    let result = s
        .store
        .write(work!(|c| store_forms::delete(c, p.org_id, &p.actor, id)))
        .await;
    forms_done(&s, &auth, &headers, result).await
}
