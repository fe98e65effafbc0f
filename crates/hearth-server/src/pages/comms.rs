//! The customer card's engagements and communication history, the
//! engagement edit and "view changes" pages, and "my tasks".

mod engagement_forms;
mod messages;
mod tasks;

use super::error_page;
use crate::AppState;
use crate::auth::Auth;
use crate::error::AppError;
use axum::Router;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::NaiveDate;
use hearth_domain::comms::Communication;
use hearth_domain::customer_contacts::CustomerContact;
use hearth_domain::engagements::{Engagement, EngagementInput, duration_label};
use hearth_domain::history::ActorKind;
use hearth_domain::{FieldError, Invalid, OrgId, UserId};
use hearth_store::jobs::{self, TeamMember};
use hearth_store::page::MAX_LIMIT;
use hearth_store::{Conn, comms, customer_contacts, engagements};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/customers/{id}/engagements",
            post(engagement_forms::create),
        )
        .route("/engagements/{id}", post(engagement_forms::update))
        .route("/engagements/{id}/edit", get(engagement_forms::edit_form))
        .route("/engagements/{id}/delete", post(engagement_forms::delete))
        .route("/engagements/{id}/history", get(engagement_forms::history))
        .route("/customers/{id}/messages", post(messages::send))
        .route("/settings/channels", get(messages::channels))
        .route("/tasks", get(tasks::list))
        .route("/tasks/{id}/complete", post(tasks::complete))
}

/// The card shows this many engagements and communications; the API pages
/// through all of them.
const SHOWN: u64 = 50;

/// One engagement as the card lists it, with names instead of ids.
pub struct EngagementRow {
    pub e: Engagement,
    pub contacted_by: String,
    pub assignee: String,
    pub contact: String,
    pub duration: String,
}

/// What the card shows of engagements and communications.
pub struct CommsCard {
    pub engagements: Vec<EngagementRow>,
    pub more_engagements: bool,
    pub communications: Vec<Communication>,
    pub form: EngagementFormView,
    /// Email and SMS quick actions.
    pub compose: messages::ComposeView,
}

/// The engagement form: the values typed, what is wrong, and the choices.
pub struct EngagementFormView {
    pub action: String,
    pub version: Option<i64>,
    pub v: EngagementForm,
    pub errors: Vec<FieldError>,
    pub team: Vec<TeamMember>,
    pub types: Vec<String>,
    pub contacts: Vec<CustomerContact>,
}

impl EngagementFormView {
    pub fn error(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    }
}

fn name_of(team: &[TeamMember], id: Option<UserId>) -> String {
    id.and_then(|id| team.iter().find(|m| m.id == id))
        .map(|m| m.name.clone())
        .unwrap_or_default()
}

/// The signed-in user, if a person (not an API key) is asking.
pub fn me(auth: &Auth) -> Option<UserId> {
    match auth.principal.actor.kind {
        ActorKind::User => auth.principal.actor.id.map(UserId),
        _ => None,
    }
}

/// The choices a form offers for this customer.
async fn choices(
    c: &mut Conn,
    org: OrgId,
    customer: hearth_domain::CustomerId,
) -> hearth_store::Result<(Vec<TeamMember>, Vec<String>, Vec<CustomerContact>)> {
    let team = jobs::assignable_users(c, org).await?;
    let types = engagements::types(c, org).await?;
    let contacts = customer_contacts::list(c, org, customer, None, MAX_LIMIT)
        .await?
        .items;
    Ok((team, types, contacts))
}

/// Reads the card's part inside the card's own unit of work.
pub async fn load_card(
    c: &mut Conn,
    org: OrgId,
    customer: hearth_domain::CustomerId,
    me: Option<UserId>,
    today: NaiveDate,
) -> hearth_store::Result<CommsCard> {
    let (team, types, contacts) = choices(c, org, customer).await?;
    let page = engagements::list(c, org, customer, None, SHOWN).await;
    // A customer in the bin shows no engagements rather than failing the card.
    let (items, more) = match page {
        Ok(p) => (p.items, p.next_cursor.is_some()),
        Err(_) => (vec![], false),
    };
    let communications = comms::list(c, org, customer, None, None, SHOWN)
        .await?
        .items;
    let engagements = items
        .into_iter()
        .map(|e| EngagementRow {
            contacted_by: name_of(&team, Some(e.fields.contacted_by)),
            assignee: name_of(&team, e.fields.follow_up_assignee),
            contact: e
                .fields
                .contact_id
                .and_then(|id| contacts.iter().find(|k| k.id == id))
                .map(|k| k.fields.name.clone())
                .unwrap_or_default(),
            duration: duration_label(e.fields.duration_minutes),
            e,
        })
        .collect();
    let v = EngagementForm {
        date: today.to_string(),
        contacted_by: me.map(|u| u.to_string()).unwrap_or_default(),
        ..Default::default()
    };
    let compose =
        messages::ComposeView::new(customer, hearth_store::templates::list(c, org).await?);
    Ok(CommsCard {
        engagements,
        more_engagements: more,
        communications,
        compose,
        form: EngagementFormView {
            action: format!("/customers/{customer}/engagements"),
            version: None,
            v,
            errors: vec![],
            team,
            types,
            contacts,
        },
    })
}

/// The engagement form as posted: every field a string.
#[derive(Deserialize, Default, Clone)]
pub struct EngagementForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub contact_id: String,
    #[serde(default)]
    pub hours: String,
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub contacted_by: String,
    #[serde(default)]
    pub contact_type: String,
    #[serde(default)]
    pub follow_up: Option<String>,
    #[serde(default)]
    pub follow_up_assignee: String,
    #[serde(default)]
    pub follow_up_date: String,
    #[serde(default)]
    pub follow_up_completed: Option<String>,
    #[serde(default)]
    pub notes: String,
}

impl EngagementForm {
    pub fn of(e: &Engagement) -> EngagementForm {
        let f = &e.fields;
        let opt = |v: Option<String>| v.unwrap_or_default();
        EngagementForm {
            csrf: String::new(),
            version: e.version.to_string(),
            subject: f.subject.clone(),
            date: f.date.to_string(),
            contact_id: opt(f.contact_id.map(|x| x.to_string())),
            hours: opt(f.duration_minutes.map(|m| (m / 60).to_string())),
            minutes: opt(f.duration_minutes.map(|m| (m % 60).to_string())),
            contacted_by: f.contacted_by.to_string(),
            contact_type: opt(f.contact_type.clone()),
            follow_up: f.follow_up.then(|| "on".into()),
            follow_up_assignee: opt(f.follow_up_assignee.map(|x| x.to_string())),
            follow_up_date: opt(f.follow_up_date.map(|d| d.to_string())),
            follow_up_completed: f.follow_up_completed.then(|| "on".into()),
            notes: f.notes.clone(),
        }
    }

    /// The typed values as API input; unreadable values are reported like
    /// any other bad field, together with the API's own checks.
    pub fn parse(&self) -> Result<EngagementInput, Invalid> {
        let mut errors = Invalid::default();
        fn opt<T: std::str::FromStr>(
            raw: &str,
            field: &str,
            what: &str,
            errors: &mut Invalid,
        ) -> Option<T> {
            match raw.trim() {
                "" => None,
                s => s.parse().ok().or_else(|| {
                    errors.push(field, format!("is not {what}"));
                    None
                }),
            }
        }
        let input = EngagementInput {
            subject: Some(self.subject.clone()),
            date: opt(&self.date, "date", "a date (YYYY-MM-DD)", &mut errors),
            contact_id: opt(&self.contact_id, "contact_id", "a contact", &mut errors),
            duration_hours: opt(&self.hours, "duration_hours", "a whole number", &mut errors),
            duration_minutes: opt(
                &self.minutes,
                "duration_minutes",
                "a whole number",
                &mut errors,
            ),
            contacted_by: opt(
                &self.contacted_by,
                "contacted_by",
                "a team member",
                &mut errors,
            ),
            contact_type: Some(self.contact_type.clone()),
            follow_up: self.follow_up.is_some(),
            follow_up_assignee: opt(
                &self.follow_up_assignee,
                "follow_up_assignee",
                "a team member",
                &mut errors,
            ),
            follow_up_date: opt(
                &self.follow_up_date,
                "follow_up_date",
                "a date (YYYY-MM-DD)",
                &mut errors,
            ),
            follow_up_completed: self.follow_up_completed.is_some(),
            notes: Some(self.notes.clone()),
        };
        if let Err(more) = input.validate() {
            for e in more.0 {
                if !errors.0.iter().any(|x| x.field == e.field) {
                    errors.0.push(e);
                }
            }
        }
        errors.or_ok(input)
    }
}

fn page_err(e: impl Into<AppError>) -> Response {
    error_page(e.into())
}

fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, Response> {
    raw.parse().map_err(|_| page_err(AppError::NotFound))
}
