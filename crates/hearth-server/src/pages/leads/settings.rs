//! Settings › CRM: pipelines and stages, and lead scoring.

use super::{page_err, path_id};
use crate::AppState;
use crate::auth::{Auth, PageAuth};
use crate::pages::{Chrome, CsrfOnly, Html, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::auth::Action;
use hearth_domain::leads::pipeline::{NewStage, PipelineInput, PipelinePatch, StagePatch};
use hearth_domain::leads::score::{ScoringRules, SignalKind, SignalWeights};
use hearth_domain::leads::{Pipeline, StageKind};
use hearth_domain::{PipelineId, StageId};
use hearth_store::leads::{pipelines as store_pipelines, signals, stages};
use hearth_store::{StoreError, work};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "leads/settings_pipelines.html")]
struct PipelinesPage {
    chrome: Chrome,
    pipelines: Vec<Pipeline>,
    kinds: Vec<&'static str>,
    weights: Vec<(&'static str, &'static str, u32)>,
    half_life_days: u32,
    notice: Option<String>,
}

async fn pipelines_page(
    s: &AppState,
    auth: &Auth,
    notice: Option<String>,
) -> Result<Html, Response> {
    let org = auth.principal.org_id;
    let actor = auth.principal.actor.clone();
    // Settings is a first use like any other: make the default pipeline.
    let (pipelines, rules) = s
        .store
        .write(work!(|c| async {
            store_pipelines::default_pipeline(c, org, &actor).await?;
            Ok((
                store_pipelines::list(c, org).await?,
                signals::rules(c, org).await?,
            ))
        }))
        .await
        .map_err(page_err)?;
    render(&PipelinesPage {
        chrome: Chrome::of(auth),
        pipelines,
        kinds: StageKind::ALL.iter().map(|k| k.as_str()).collect(),
        weights: SignalKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label(), rules.weights.of(*k)))
            .collect(),
        half_life_days: rules.half_life_days,
        notice,
    })
}

pub async fn pipelines(State(s): State<AppState>, PageAuth(auth): PageAuth) -> Response {
    if let Err(e) = auth.require(Action::ManagePipelines) {
        return page_err(e);
    }
    match pipelines_page(&s, &auth, None).await {
        Ok(html) => html.into_response(),
        Err(r) => r,
    }
}

/// Back to the settings page, or the page again saying what went wrong.
async fn done(s: &AppState, auth: &Auth, result: Result<(), StoreError>) -> Response {
    let (status, notice) = match result {
        Ok(()) => return Redirect::to("/settings/pipelines").into_response(),
        Err(StoreError::Invalid(i)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            i.summary().replace('_', " "),
        ),
        Err(StoreError::Refused(m)) => (StatusCode::CONFLICT, m),
        Err(StoreError::Conflict { .. }) => (
            StatusCode::CONFLICT,
            "Someone else changed this meanwhile; here is the saved version.".to_string(),
        ),
        Err(e) => return page_err(e),
    };
    match pipelines_page(s, auth, Some(notice)).await {
        Ok(html) => (status, html).into_response(),
        Err(r) => r,
    }
}

pub(super) fn allowed(auth: &Auth, csrf: &str) -> Result<(), Response> {
    auth.verify_csrf(csrf)
        .and_then(|()| auth.require(Action::ManagePipelines))
        .map_err(page_err)
}

#[derive(Deserialize)]
pub struct PipelineForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    version: Option<i64>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    is_default: String,
}

pub async fn create_pipeline(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Form(form): Form<PipelineForm>,
) -> Response {
    if let Err(r) = allowed(&auth, &form.csrf) {
        return r;
    }
    let p = auth.principal.clone();
    let input = PipelineInput {
        name: form.name,
        is_default: form.is_default == "true",
        stages: None,
    };
    let result = s
        .store
        .write(work!(|c| store_pipelines::create(
            c, p.org_id, &p.actor, &input
        )))
        .await
        .map(|_| ());
    done(&s, &auth, result).await
}

pub async fn update_pipeline(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<PipelineForm>,
) -> Response {
    if let Err(r) = allowed(&auth, &form.csrf) {
        return r;
    }
    let id: PipelineId = match path_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let p = auth.principal.clone();
    let patch = PipelinePatch {
        version: form.version.unwrap_or(-1),
        name: Some(form.name),
        is_default: (form.is_default == "true").then_some(true),
    };
    let result = s
        .store
        .write(work!(|c| store_pipelines::update(
            c, p.org_id, &p.actor, id, &patch
        )))
        .await
        .map(|_| ());
    done(&s, &auth, result).await
}

pub async fn delete_pipeline(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Err(r) = allowed(&auth, &form.csrf) {
        return r;
    }
    let id: PipelineId = match path_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let p = auth.principal.clone();
    let result = s
        .store
        .write(work!(|c| store_pipelines::delete(
            c, p.org_id, &p.actor, id
        )))
        .await;
    done(&s, &auth, result).await
}

#[derive(Deserialize)]
pub struct StageForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    version: Option<i64>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    /// 1-based, as people count.
    #[serde(default)]
    position: String,
}

impl StageForm {
    fn kind(&self) -> StageKind {
        StageKind::parse(&self.kind).unwrap_or_default()
    }

    fn position(&self) -> Option<i64> {
        self.position.trim().parse::<i64>().ok().map(|p| p - 1)
    }
}

pub async fn add_stage(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<StageForm>,
) -> Response {
    if let Err(r) = allowed(&auth, &form.csrf) {
        return r;
    }
    let id: PipelineId = match path_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let p = auth.principal.clone();
    let input = NewStage {
        name: form.name.clone(),
        kind: form.kind(),
        position: form.position(),
    };
    let result = s
        .store
        .write(work!(|c| stages::add_stage(
            c, p.org_id, &p.actor, id, &input
        )))
        .await
        .map(|_| ());
    done(&s, &auth, result).await
}

pub async fn update_stage(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<StageForm>,
) -> Response {
    if let Err(r) = allowed(&auth, &form.csrf) {
        return r;
    }
    let id: StageId = match path_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let p = auth.principal.clone();
    let patch = StagePatch {
        version: form.version.unwrap_or(-1),
        name: Some(form.name.clone()),
        kind: Some(form.kind()),
        position: form.position(),
    };
    let result = s
        .store
        .write(work!(|c| stages::update_stage(
            c, p.org_id, &p.actor, id, &patch
        )))
        .await
        .map(|_| ());
    done(&s, &auth, result).await
}

pub async fn delete_stage(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Err(r) = allowed(&auth, &form.csrf) {
        return r;
    }
    let id: StageId = match path_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let p = auth.principal.clone();
    let result = s
        .store
        .write(work!(|c| stages::delete_stage(c, p.org_id, &p.actor, id)))
        .await;
    done(&s, &auth, result).await
}

#[derive(Deserialize)]
pub struct ScoringForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    form_submission: u32,
    website_visit: u32,
    email_open: u32,
    email_click: u32,
    quote_viewed: u32,
    inbound_call: u32,
    chat: u32,
    half_life_days: u32,
}

pub async fn update_scoring(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Form(form): Form<ScoringForm>,
) -> Response {
    if let Err(r) = allowed(&auth, &form.csrf) {
        return r;
    }
    let rules = ScoringRules {
        weights: SignalWeights {
            form_submission: form.form_submission,
            website_visit: form.website_visit,
            email_open: form.email_open,
            email_click: form.email_click,
            quote_viewed: form.quote_viewed,
            inbound_call: form.inbound_call,
            chat: form.chat,
        },
        half_life_days: form.half_life_days,
    };
    let p = auth.principal.clone();
    let result = s
        .store
        .write(work!(|c| signals::set_rules(c, p.org_id, &p.actor, &rules)))
        .await
        .map(|_| ());
    done(&s, &auth, result).await
}
