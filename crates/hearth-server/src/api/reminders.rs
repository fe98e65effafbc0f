//! Reminders for staff (warranties ending, memberships renewing, follow-ups
//! due), raised by the worker, and the settings they follow: days ahead,
//! email to staff, messages to customers.

use crate::AppState;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use axum::Json;
use axum::extract::State;
use hearth_domain::ReminderId;
use hearth_domain::auth::Action;
use hearth_domain::history::ActorKind;
use hearth_domain::reminders::{Reminder, ReminderSettings, ReminderSettingsPatch};
use hearth_store::page::{self, Page};
use hearth_store::{reminders, work};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(dismiss))
        .routes(routes!(get_settings, update_settings))
}

/// Open reminders, soonest event first: a signed-in user sees theirs and
/// everyone's; an API key sees all.
#[utoipa::path(get, path = "/api/v1/reminders", tag = "reminders",
    params(super::comms::PageParams), responses((status = 200, body = Page<Reminder>)))]
async fn list(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<super::comms::PageParams>,
) -> ApiResult<Json<Page<Reminder>>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    let actor = &auth.principal.actor;
    let user = (actor.kind == ActorKind::User)
        .then_some(actor.id)
        .flatten()
        .map(hearth_domain::UserId);
    let limit = page::limit(p.limit)?;
    let cursor = p.cursor;
    Ok(Json(
        s.store
            .read(work!(|c| reminders::list_open(
                c,
                org,
                user,
                cursor.as_deref(),
                limit
            )))
            .await?,
    ))
}

/// Mark a reminder dealt with.
#[utoipa::path(post, path = "/api/v1/reminders/{id}/dismiss", tag = "reminders",
    params(("id" = Uuid, Path)), responses((status = 200, body = Reminder)))]
async fn dismiss(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ReminderId>,
) -> ApiResult<Json<Reminder>> {
    auth.require(Action::WriteCustomers)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| reminders::dismiss(c, p.org_id, &p.actor, id)))
            .await?,
    ))
}

/// How many days ahead reminders are raised, whether staff also get them
/// by email, and which go to customers with what text.
#[utoipa::path(get, path = "/api/v1/settings/reminders", tag = "reminders",
    responses((status = 200, body = ReminderSettings)))]
async fn get_settings(State(s): State<AppState>, auth: Auth) -> ApiResult<Json<ReminderSettings>> {
    auth.require(Action::ReadCustomers)?;
    let org = auth.principal.org_id;
    Ok(Json(
        s.store.read(work!(|c| reminders::settings(c, org))).await?,
    ))
}

/// Change the reminder settings (owners and admins); send the `version`
/// you read (0 before the first change). Customer message texts may use
/// `{{item}}` and `{{date}}` besides the usual merge fields; one that does
/// not render is a 422 naming it.
#[utoipa::path(patch, path = "/api/v1/settings/reminders", tag = "reminders",
    request_body = ReminderSettingsPatch,
    responses((status = 200, body = ReminderSettings), (status = 409, description = "The settings changed since `version`")))]
async fn update_settings(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(patch): ApiJson<ReminderSettingsPatch>,
) -> ApiResult<Json<ReminderSettings>> {
    auth.require(Action::ManageSettings)?;
    let p = auth.principal;
    Ok(Json(
        s.store
            .write(work!(|c| reminders::update_settings(
                c, p.org_id, &p.actor, &patch
            )))
            .await?,
    ))
}
