//! A lead's card: details, edit form, moves, signals and conversion.

use super::board::{StageOption, stage_options};
use super::fields::{Field, LeadForm};
use super::{page_err, path_id};
use crate::AppState;
use crate::auth::{Auth, PageAuth};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::auth::Action;
use hearth_domain::leads::money::format_money;
use hearth_domain::leads::score::SignalKind;
use hearth_domain::leads::{Lead, Pipeline};
use hearth_domain::{Invalid, LeadId, UserId};
use hearth_store::duplicates::{self, LeadChecked, Lookalikes};
use hearth_store::leads::signals::{self, LeadSignal};
use hearth_store::leads::timeline::{self, LeadEvent};
use hearth_store::leads::{self, pipelines};
use hearth_store::{StoreError, work};
use serde::Deserialize;

pub(super) fn lead_id(raw: &str) -> Result<LeadId, Response> {
    path_id(raw)
}

pub(super) fn with_status(
    status: StatusCode,
    page: Result<crate::pages::Html, Response>,
) -> Response {
    match page {
        Ok(html) => (status, html).into_response(),
        Err(r) => r,
    }
}

pub struct BreakdownLine {
    pub label: &'static str,
    pub count: u32,
    pub points: f64,
}

#[derive(Template)]
#[template(path = "leads/lead.html")]
struct LeadPage {
    chrome: Chrome,
    lead: Lead,
    value: String,
    stage_name: String,
    stage_kind: &'static str,
    pipeline_name: String,
    stages: Vec<StageOption>,
    fields: Vec<Field>,
    breakdown: Vec<BreakdownLine>,
    signals: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    events: Vec<LeadEvent>,
    owner_name: Option<String>,
    notice: Option<String>,
    lookalikes: Lookalikes,
}

/// Everything the lead card shows, read at once.
pub(super) struct Loaded {
    lead: Lead,
    pipeline: Pipeline,
    owners: Vec<(UserId, String)>,
    signals: Vec<LeadSignal>,
    events: Vec<LeadEvent>,
    lookalikes: Lookalikes,
}

/// Look-alikes shown on a lead's card, at most.
const LOOKALIKES: usize = 5;

pub(super) async fn load(s: &AppState, auth: &Auth, id: LeadId) -> Result<Loaded, Response> {
    let org = auth.principal.org_id;
    s.store
        .read(work!(|c| async {
            let lead = leads::get(c, org, id).await?;
            let pipeline = pipelines::get(c, org, lead.pipeline_id).await?;
            let owners = leads::owners(c, org).await?;
            let signals = signals::list(c, org, id, 20).await?;
            let events = timeline::timeline(c, org, id, None, 30).await?.items;
            let lookalikes = duplicates::of_lead(c, org, id, LOOKALIKES).await?;
            Ok(Loaded {
                lead,
                pipeline,
                owners,
                signals,
                events,
                lookalikes,
            })
        }))
        .await
        .map_err(page_err)
}

pub(super) fn lead_page(
    auth: &Auth,
    l: Loaded,
    form: Option<&LeadForm>,
    errors: &Invalid,
    notice: Option<String>,
) -> Result<crate::pages::Html, Response> {
    let lead = l.lead;
    let stage = l.pipeline.stage(lead.stage_id);
    let fields = form
        .map(|f| f.fields(errors, &l.owners))
        .unwrap_or_else(|| LeadForm::from_lead(&lead).fields(errors, &l.owners));
    render(&LeadPage {
        chrome: Chrome::of(auth),
        value: format_money(lead.fields.value_minor, &lead.fields.currency),
        stage_name: stage.map(|s| s.name.clone()).unwrap_or_default(),
        stage_kind: stage.map(|s| s.kind.as_str()).unwrap_or("open"),
        pipeline_name: l.pipeline.name.clone(),
        stages: stage_options(&l.pipeline),
        fields,
        breakdown: lead
            .score_breakdown
            .iter()
            .map(|b| BreakdownLine {
                label: b.signal.label(),
                count: b.count,
                points: b.points,
            })
            .collect(),
        signals: l
            .signals
            .iter()
            .map(|s| (s.kind.label(), s.at.format("%Y-%m-%d %H:%M").to_string()))
            .collect(),
        kinds: SignalKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        events: l.events,
        lookalikes: l.lookalikes,
        owner_name: lead.fields.owner_id.and_then(|o| {
            l.owners
                .iter()
                .find(|(id, _)| *id == o)
                .map(|(_, n)| n.clone())
        }),
        notice,
        lead,
    })
}

pub async fn show(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
) -> Response {
    if let Err(e) = auth.require(Action::ReadLeads) {
        return page_err(e);
    }
    let id = match lead_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    match load(&s, &auth, id).await {
        Ok(l) => with_status(
            StatusCode::OK,
            lead_page(&auth, l, None, &Invalid::default(), None),
        ),
        Err(r) => r,
    }
}

pub async fn update(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<LeadForm>,
) -> Response {
    if let Err(e) = auth
        .verify_csrf(&form.csrf)
        .and_then(|()| auth.require(Action::WriteLeads))
    {
        return page_err(e);
    }
    let id = match lead_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let failed = |errors: Invalid, notice: Option<String>| {
        let s = s.clone();
        let auth = &auth;
        let form = &form;
        async move {
            match load(&s, auth, id).await {
                Ok(l) => with_status(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    lead_page(auth, l, Some(form), &errors, notice),
                ),
                Err(r) => r,
            }
        }
    };
    let input = match form.parse(&auth.principal.region) {
        Ok(input) => input,
        Err(errors) => return failed(errors, None).await,
    };
    let patch = form.patch(input);
    let p = auth.principal.clone();
    match s
        .store
        .write(work!(|c| leads::update(
            c, p.org_id, &p.region, &p.actor, id, &patch
        )))
        .await
    {
        Ok(_) => Redirect::to(&format!("/leads/{id}")).into_response(),
        Err(StoreError::Invalid(errors)) => failed(errors, None).await,
        Err(StoreError::Conflict { .. }) => {
            let notice = "Someone else changed this lead while you were editing. The saved version is shown; \
                          make your changes again."
                .to_string();
            match load(&s, &auth, id).await {
                Ok(l) => with_status(
                    StatusCode::CONFLICT,
                    lead_page(&auth, l, None, &Invalid::default(), Some(notice)),
                ),
                Err(r) => r,
            }
        }
        Err(e) => page_err(e),
    }
}

#[derive(Template)]
#[template(path = "leads/new.html")]
struct NewPage {
    chrome: Chrome,
    fields: Vec<Field>,
    pipelines: Vec<(String, String)>,
    pipeline_id: String,
    /// What the duplicate check found when it blocked this lead.
    lookalikes: Option<Lookalikes>,
}

#[derive(Deserialize)]
pub struct NewParams {
    pipeline_id: Option<String>,
}

async fn new_page(
    s: &AppState,
    auth: &Auth,
    form: &LeadForm,
    errors: &Invalid,
    lookalikes: Option<Lookalikes>,
) -> Result<crate::pages::Html, Response> {
    let org = auth.principal.org_id;
    let (all, owners) = s
        .store
        .read(work!(|c| async {
            Ok((pipelines::list(c, org).await?, leads::owners(c, org).await?))
        }))
        .await
        .map_err(page_err)?;
    render(&NewPage {
        chrome: Chrome::of(auth),
        fields: form.fields(errors, &owners),
        pipelines: all
            .iter()
            .map(|p| (p.id.to_string(), p.name.clone()))
            .collect(),
        pipeline_id: form.pipeline_id.clone(),
        lookalikes,
    })
}

pub async fn new_form(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(q): Query<NewParams>,
) -> Response {
    if let Err(e) = auth.require(Action::WriteLeads) {
        return page_err(e);
    }
    let form = LeadForm {
        pipeline_id: q.pipeline_id.unwrap_or_default(),
        ..Default::default()
    };
    with_status(
        StatusCode::OK,
        new_page(&s, &auth, &form, &Invalid::default(), None).await,
    )
}

pub async fn create(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Form(form): Form<LeadForm>,
) -> Response {
    if let Err(e) = auth
        .verify_csrf(&form.csrf)
        .and_then(|()| auth.require(Action::WriteLeads))
    {
        return page_err(e);
    }
    let invalid = |errors: Invalid| {
        let (s, auth, form) = (&s, &auth, &form);
        async move {
            with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                new_page(s, auth, form, &errors, None).await,
            )
        }
    };
    let input = match form.parse(&auth.principal.region) {
        Ok(input) => input,
        Err(errors) => return invalid(errors).await,
    };
    let p = auth.principal.clone();
    let allow = form.allow_duplicate;
    match s
        .store
        .write(work!(|c| duplicates::create_lead(
            c, p.org_id, &p.region, &p.actor, &input, allow
        )))
        .await
    {
        // The lead's card lists what it looks like.
        Ok(LeadChecked::Created(lead, _)) => {
            Redirect::to(&format!("/leads/{}", lead.id)).into_response()
        }
        Ok(LeadChecked::Blocked(found)) => with_status(
            StatusCode::CONFLICT,
            new_page(&s, &auth, &form, &Invalid::default(), Some(found)).await,
        ),
        Err(StoreError::Invalid(errors)) => invalid(errors).await,
        Err(e) => page_err(e),
    }
}
