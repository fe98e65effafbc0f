//! What a lead card's buttons do: move, convert, log a signal, delete.

use super::detail::{lead_id, lead_page, load, with_status};
use super::{page_err, safe_return};
use crate::AppState;
use crate::auth::PageAuth;
use crate::pages::{Chrome, CsrfOnly, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::auth::Action;
use hearth_domain::leads::score::SignalKind;
use hearth_domain::leads::{LeadMove, StageKind};
use hearth_domain::{Invalid, PipelineId, StageId};
use hearth_store::leads::convert::{self as store_convert, Converted};
use hearth_store::leads::{self, board, signals, stages};
use hearth_store::{StoreError, work};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    stage_id: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    lost_reason: String,
    return_to: Option<String>,
}

#[derive(Template)]
#[template(path = "leads/lost.html")]
struct LostPage {
    chrome: Chrome,
    lead_id: String,
    name: String,
    stage_id: String,
    stage_name: String,
    return_to: String,
    error: Option<String>,
}

/// The move picker on each card: works without script.
pub async fn move_lead(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<MoveForm>,
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
    let Ok(stage_id) = form.stage_id.parse::<StageId>() else {
        return page_err(Invalid::field("stage_id", "pick a stage"));
    };
    let back = safe_return(form.return_to.as_deref(), format!("/leads/{id}"));
    let mv = LeadMove {
        stage_id,
        position: form.position.trim().parse().ok(),
        lost_reason: Some(form.lost_reason.clone()).filter(|r| !r.trim().is_empty()),
    };
    let p = auth.principal.clone();
    match s
        .store
        .write(work!(|c| board::move_lead(c, p.org_id, &p.actor, id, &mv)))
        .await
    {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(StoreError::Invalid(errors)) if errors.0.iter().any(|e| e.field == "lost_reason") => {
            let org = p.org_id;
            let found = s
                .store
                .read(work!(|c| async {
                    Ok((
                        leads::get(c, org, id).await?,
                        stages::stage(c, org, stage_id).await?,
                    ))
                }))
                .await;
            let (lead, stage) = match found {
                Ok(f) => f,
                Err(e) => return page_err(e),
            };
            if stage.kind != StageKind::Lost {
                return page_err(errors);
            }
            let page = render(&LostPage {
                chrome: Chrome::of(&auth),
                lead_id: id.to_string(),
                name: lead.display_name,
                stage_id: stage.id.to_string(),
                stage_name: stage.name,
                return_to: back,
                // First time here the reason is simply missing: ask, no error.
                error: (!form.lost_reason.trim().is_empty())
                    .then(|| errors.0.first().map(|e| e.message.clone()))
                    .flatten(),
            });
            with_status(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(e) => page_err(e),
    }
}

#[derive(Deserialize)]
pub struct ConvertForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    /// Set by the "convert anyway" button the blocked notice offers.
    #[serde(default)]
    allow_duplicate: bool,
}

pub async fn convert(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<ConvertForm>,
) -> Response {
    if let Err(e) = auth
        .verify_csrf(&form.csrf)
        .and_then(|()| auth.require(Action::WriteLeads))
        .and_then(|()| auth.require(Action::WriteCustomers))
    {
        return page_err(e);
    }
    let id = match lead_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let p = auth.principal.clone();
    let allow = form.allow_duplicate;
    match s
        .store
        .write(work!(|c| store_convert::convert(
            c, p.org_id, &p.region, &p.actor, id, allow
        )))
        .await
    {
        Ok(Converted::Done(done)) => {
            Redirect::to(&format!("/customers/{}", done.customer_id)).into_response()
        }
        Ok(Converted::Blocked(found)) => {
            let message = store_convert::blocked(&found).to_string();
            match load(&s, &auth, id).await {
                Ok(l) => with_status(
                    StatusCode::CONFLICT,
                    lead_page(&auth, l, None, &Invalid::default(), Some(message)),
                ),
                Err(r) => r,
            }
        }
        Err(StoreError::Invalid(errors)) => {
            let notice = format!(
                "This lead cannot become a customer yet: {}",
                errors.summary().replace('_', " ")
            );
            match load(&s, &auth, id).await {
                Ok(l) => with_status(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    lead_page(&auth, l, None, &errors, Some(notice)),
                ),
                Err(r) => r,
            }
        }
        Err(StoreError::Refused(message)) => match load(&s, &auth, id).await {
            Ok(l) => with_status(
                StatusCode::CONFLICT,
                lead_page(&auth, l, None, &Invalid::default(), Some(message)),
            ),
            Err(r) => r,
        },
        Err(e) => page_err(e),
    }
}

#[derive(Deserialize)]
pub struct SignalForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    kind: String,
}

pub async fn add_signal(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<SignalForm>,
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
    let Some(kind) = SignalKind::parse(&form.kind) else {
        return page_err(Invalid::field("kind", "is not a kind of signal"));
    };
    let p = auth.principal.clone();
    match s
        .store
        .write(work!(|c| signals::record_signal(
            c, p.org_id, &p.actor, id, kind
        )))
        .await
    {
        Ok(_) => Redirect::to(&format!("/leads/{id}")).into_response(),
        Err(e) => page_err(e),
    }
}

pub async fn delete(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
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
    let p = auth.principal.clone();
    let result: Result<PipelineId, StoreError> = s
        .store
        .write(work!(|c| async {
            let lead = leads::get(c, p.org_id, id).await?;
            leads::delete(c, p.org_id, &p.actor, id).await?;
            Ok(lead.pipeline_id)
        }))
        .await;
    match result {
        Ok(pipeline) => Redirect::to(&format!("/pipeline/{pipeline}")).into_response(),
        Err(e) => page_err(e),
    }
}
