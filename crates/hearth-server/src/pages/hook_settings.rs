//! Settings › Inbound & reminders: the inbound hook keys (the secret shown
//! masked, and in full only on the page that made it), where each provider
//! delivers, how many days ahead reminders are raised and who else they go
//! to (staff by email, customers with the organisation's texts).

use super::{Chrome, CsrfOnly, Html, error_page, render};
use crate::AppState;
use crate::auth::{Auth, PageAuth};
use crate::error::AppError;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::auth::Action;
use hearth_domain::reminders::{
    CustomerKindsPatch, CustomerMessagePatch, ReminderSettings, ReminderSettingsPatch,
};
use hearth_store::inbound::{self, InboundSettings};
use hearth_store::{reminders, work};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "settings_inbound.html")]
struct SettingsPage {
    chrome: Chrome,
    org_id: String,
    inbound: InboundSettings,
    /// Only on the answer to "make a new secret": shown this once.
    new_secret: Option<String>,
    days: ReminderSettings,
    errors: Vec<String>,
}

async fn page(
    s: &AppState,
    auth: &Auth,
    new_secret: Option<String>,
    errors: Vec<String>,
) -> Result<Html, Response> {
    let org = auth.principal.org_id;
    let (inbound, days) = s
        .store
        .read(work!(|c| async {
            Ok((
                inbound::settings(c, org).await?,
                reminders::settings(c, org).await?,
            ))
        }))
        .await
        .map_err(|e| error_page(e.into()))?;
    render(&SettingsPage {
        chrome: Chrome::of(auth),
        org_id: org.to_string(),
        inbound,
        new_secret,
        days,
        errors,
    })
}

pub async fn show(State(s): State<AppState>, PageAuth(auth): PageAuth) -> Result<Html, Response> {
    auth.require(Action::ManageSettings).map_err(error_page)?;
    page(&s, &auth, None, vec![]).await
}

pub async fn rotate(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Form(form): Form<CsrfOnly>,
) -> Result<Html, Response> {
    auth.verify_csrf(&form.csrf)
        .and_then(|()| auth.require(Action::ManageSettings))
        .map_err(error_page)?;
    let p = auth.principal.clone();
    let (secret, _) = s
        .store
        .write(work!(|c| inbound::rotate_secret(c, p.org_id, &p.actor)))
        .await
        .map_err(|e| error_page(e.into()))?;
    page(&s, &auth, Some(secret), vec![]).await
}

#[derive(Deserialize)]
pub struct WhatsappForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    app_secret: String,
    verify_token: String,
}

pub async fn set_whatsapp(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Form(form): Form<WhatsappForm>,
) -> Response {
    if let Err(e) = auth
        .verify_csrf(&form.csrf)
        .and_then(|()| auth.require(Action::ManageSettings))
    {
        return error_page(e);
    }
    let p = auth.principal.clone();
    let (secret, token) = (form.app_secret, form.verify_token);
    let saved = s
        .store
        .write(work!(|c| inbound::set_whatsapp(
            c, p.org_id, &p.actor, &secret, &token
        )))
        .await;
    answer(&s, &auth, saved.map(drop)).await
}

#[derive(Deserialize)]
pub struct DaysForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    version: i64,
    warranty_days: i64,
    membership_days: i64,
    follow_up_days: i64,
    /// Checkboxes: absent when unticked.
    #[serde(default)]
    email_staff: bool,
    #[serde(default)]
    notify_warranty: bool,
    #[serde(default)]
    notify_membership: bool,
    warranty_email_subject: Option<String>,
    warranty_email_body: Option<String>,
    warranty_sms_body: Option<String>,
    membership_email_subject: Option<String>,
    membership_email_body: Option<String>,
    membership_sms_body: Option<String>,
}

pub async fn set_days(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Form(form): Form<DaysForm>,
) -> Response {
    if let Err(e) = auth
        .verify_csrf(&form.csrf)
        .and_then(|()| auth.require(Action::ManageSettings))
    {
        return error_page(e);
    }
    let p = auth.principal.clone();
    let patch = ReminderSettingsPatch {
        version: form.version,
        warranty_days: Some(form.warranty_days),
        membership_days: Some(form.membership_days),
        follow_up_days: Some(form.follow_up_days),
        email_staff: Some(form.email_staff),
        notify_customers: Some(CustomerKindsPatch {
            warranty_expiring: Some(form.notify_warranty),
            membership_renewal: Some(form.notify_membership),
        }),
        customer_messages: Some(CustomerKindsPatch {
            warranty_expiring: Some(CustomerMessagePatch {
                email_subject: form.warranty_email_subject,
                email_body: form.warranty_email_body,
                sms_body: form.warranty_sms_body,
            }),
            membership_renewal: Some(CustomerMessagePatch {
                email_subject: form.membership_email_subject,
                email_body: form.membership_email_body,
                sms_body: form.membership_sms_body,
            }),
        }),
    };
    let saved = s
        .store
        .write(work!(|c| reminders::update_settings(
            c, p.org_id, &p.actor, &patch
        )))
        .await;
    answer(&s, &auth, saved.map(drop)).await
}

/// Back to the page on success; the page with the problems otherwise.
async fn answer(s: &AppState, auth: &Auth, saved: hearth_store::Result<()>) -> Response {
    match saved.map_err(AppError::from) {
        Ok(()) => Redirect::to("/settings/inbound").into_response(),
        Err(AppError::Invalid(i)) => {
            let errors =
                i.0.into_iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect();
            page(s, auth, None, errors).await.into_response()
        }
        Err(e @ AppError::Conflict(_)) => page(s, auth, None, vec![e.to_string()])
            .await
            .into_response(),
        Err(e) => error_page(e),
    }
}
