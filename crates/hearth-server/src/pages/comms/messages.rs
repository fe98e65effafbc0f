//! Sending email and SMS from the customer card (quick actions), and the
//! channel health settings page.

use super::{page_err, parse_id};
use crate::AppState;
use crate::auth::{Auth, PageAuth};
use crate::pages::{Chrome, Html, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_domain::auth::Action;
use hearth_domain::comms::Channel;
use hearth_domain::customers::Customer;
use hearth_domain::outbox::ChannelStatus;
use hearth_domain::templates::{MessageInput, Template as MessageTemplate};
use hearth_domain::{CustomerId, FieldError, Invalid};
use hearth_store::{StoreError, customers, messages, outbox, templates, work};
use serde::Deserialize;

/// The compose form as posted: every field a string.
#[derive(Deserialize, Default, Clone)]
pub struct ComposeForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub template_id: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
}

/// The compose form: what was typed, what is wrong, the templates.
pub struct ComposeView {
    pub action: String,
    pub v: ComposeForm,
    pub errors: Vec<FieldError>,
    pub templates: Vec<MessageTemplate>,
}

impl ComposeView {
    pub fn new(customer: CustomerId, templates: Vec<MessageTemplate>) -> ComposeView {
        ComposeView {
            action: format!("/customers/{customer}/messages"),
            v: ComposeForm {
                channel: "email".into(),
                ..Default::default()
            },
            errors: vec![],
            templates,
        }
    }

    pub fn error(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    }
}

/// Shaped like the card's `comms`, so both render the same include.
pub struct ComposeOnly {
    pub compose: ComposeView,
}

#[derive(Template)]
#[template(path = "message_form.html")]
struct FormPage {
    chrome: Chrome,
    customer: Customer,
    comms: ComposeOnly,
}

fn input(form: &ComposeForm) -> Result<MessageInput, Invalid> {
    let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let channel = Channel::parse(&form.channel)
        .ok_or_else(|| Invalid::field("channel", "must be email or sms"))?;
    let template_id = match text(&form.template_id) {
        Some(raw) => Some(
            raw.parse()
                .map_err(|_| Invalid::field("template_id", "is not a template"))?,
        ),
        None => None,
    };
    Ok(MessageInput {
        channel,
        // A template fills what is left empty.
        subject: text(&form.subject),
        body: text(&form.body),
        template_id,
    })
}

pub async fn send(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<String>,
    Form(form): Form<ComposeForm>,
) -> Response {
    let id: CustomerId = match parse_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    if let Err(e) = auth
        .verify_csrf(&form.csrf)
        .and_then(|()| auth.require(Action::WriteCustomers))
    {
        return page_err(e);
    }
    let p = auth.principal.clone();
    let sent = match input(&form) {
        Ok(message) => s
            .store
            .write(work!(|c| messages::send(
                c, p.org_id, &p.actor, id, &message
            )))
            .await
            .map(drop),
        Err(e) => Err(e.into()),
    };
    match sent {
        Ok(()) => Redirect::to(&format!("/customers/{id}#communications")).into_response(),
        Err(StoreError::Invalid(errors)) => form_again(&s, &auth, id, form, errors).await,
        Err(e) => page_err(e),
    }
}

/// Shows the form again with what was typed and every error.
async fn form_again(
    s: &AppState,
    auth: &Auth,
    id: CustomerId,
    form: ComposeForm,
    errors: Invalid,
) -> Response {
    let org = auth.principal.org_id;
    let loaded = s
        .store
        .read(work!(|c| async {
            Ok((
                customers::get(c, org, id, false).await?,
                templates::list(c, org).await?,
            ))
        }))
        .await;
    let (customer, templates) = match loaded {
        Ok(x) => x,
        Err(e) => return page_err(e),
    };
    let compose = ComposeView {
        v: form,
        errors: errors.0,
        ..ComposeView::new(id, templates)
    };
    match render(&FormPage {
        chrome: Chrome::of(auth),
        customer,
        comms: ComposeOnly { compose },
    }) {
        Ok(html) => (StatusCode::UNPROCESSABLE_ENTITY, html).into_response(),
        Err(r) => r,
    }
}

#[derive(Template)]
#[template(path = "settings_channels.html")]
struct ChannelsPage {
    chrome: Chrome,
    channels: Vec<ChannelStatus>,
}

/// Every channel's last success, last failure with its error, queue and
/// dead letters.
pub async fn channels(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
) -> Result<Html, Response> {
    auth.require(Action::ReadCustomers).map_err(page_err)?;
    let org = auth.principal.org_id;
    let channels = s
        .store
        .read(work!(|c| outbox::channel_status(c, Some(org))))
        .await
        .map_err(page_err)?;
    render(&ChannelsPage {
        chrome: Chrome::of(&auth),
        channels,
    })
}
