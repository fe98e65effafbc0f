//! Outbound webhooks: an org subscribes URLs to business events, and each
//! event is delivered, signed, to every subscriber through the outbox.

use crate::outbox::OutboxStatus;
use crate::{Invalid, OutboxId, WebhookId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The events a URL can subscribe to.
pub const EVENTS: [&str; 8] = [
    "customer.created",
    "customer.updated",
    "customer.merged",
    "lead.moved",
    "lead.won",
    "lead.lost",
    "job.status_changed",
    "invoice.paid",
];

/// The webhook event a recorded change is, if any. Every change goes
/// through the history log as `entity.action`; this is the one place that
/// says which of them subscribers hear about.
pub fn event_for(entity: &str, action: &str) -> Option<&'static str> {
    Some(match (entity, action) {
        ("customer", "created") => "customer.created",
        ("customer", "updated") => "customer.updated",
        ("customer", "merged") => "customer.merged",
        ("lead", "moved") => "lead.moved",
        ("lead", "won") => "lead.won",
        ("lead", "lost") => "lead.lost",
        ("job", "status_changed" | "completed" | "cancelled") => "job.status_changed",
        ("invoice", "paid") => "invoice.paid",
        _ => return None,
    })
}

/// A subscription as the API shows it; its secret is shown once only, in
/// [`CreatedWebhook`].
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Webhook {
    pub id: WebhookId,
    pub url: String,
    pub events: Vec<String>,
    /// A paused subscription is sent nothing for events that happen
    /// meanwhile.
    pub active: bool,
    /// Send it back with a change (stale → 409).
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The answer to creating a subscription or rotating its secret: the
/// signing secret, this once.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// HMAC-SHA256 key of the `Hearth-Signature` header. Store it now: it
    /// is never shown again.
    pub secret: String,
}

/// `POST /api/v1/webhooks`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// An http(s) URL.
    pub url: String,
    /// One or more of the event names in the documentation.
    pub events: Vec<String>,
}

pub const URL_MAX: usize = 2_000;

/// An http(s) URL of at most [`URL_MAX`] characters, trimmed.
fn url(errors: &mut Invalid, raw: &str) -> String {
    let url = raw.trim().to_string();
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .and_then(|rest| rest.split(['/', '?', '#']).next())
        .unwrap_or("");
    if host.is_empty() || url.chars().any(char::is_whitespace) {
        errors.push("url", "must be an http:// or https:// URL");
    } else if url.len() > URL_MAX {
        errors.push("url", format!("must be at most {URL_MAX} characters"));
    }
    url
}

/// One or more known event names, without repeats.
fn events(errors: &mut Invalid, raw: &[String]) -> Vec<String> {
    let mut events: Vec<String> = Vec::new();
    for e in raw {
        if !EVENTS.contains(&e.as_str()) {
            errors.push(
                "events",
                format!("unknown event {e:?}; known: {}", EVENTS.join(", ")),
            );
        } else if !events.contains(e) {
            events.push(e.clone());
        }
    }
    if raw.is_empty() {
        errors.push("events", "must name at least one event");
    }
    events
}

impl WebhookInput {
    pub fn validate(&self) -> Result<(String, Vec<String>), Invalid> {
        let mut errors = Invalid::default();
        let url = url(&mut errors, &self.url);
        let events = events(&mut errors, &self.events);
        errors.or_ok((url, events))
    }
}

/// `PATCH /api/v1/webhooks/{id}`: absent fields stay.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    /// The `version` last read (stale → 409).
    pub version: i64,
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    /// `false` pauses the subscription, `true` resumes it.
    pub active: Option<bool>,
}

/// A subscription's editable fields after a valid change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookChange {
    pub url: String,
    pub events: Vec<String>,
    pub active: bool,
}

impl WebhookPatch {
    /// `current` with this change applied, or every bad field.
    pub fn apply(&self, current: &Webhook) -> Result<WebhookChange, Invalid> {
        let mut errors = Invalid::default();
        let next = WebhookChange {
            url: match &self.url {
                Some(raw) => url(&mut errors, raw),
                None => current.url.clone(),
            },
            events: match &self.events {
                Some(raw) => events(&mut errors, raw),
                None => current.events.clone(),
            },
            active: self.active.unwrap_or(current.active),
        };
        errors.or_ok(next)
    }
}

/// One delivery of an event to a subscription.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: OutboxId,
    pub event: String,
    pub status: OutboxStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_changes_are_events() {
        assert_eq!(event_for("lead", "won"), Some("lead.won"));
        assert_eq!(event_for("job", "completed"), Some("job.status_changed"));
        assert_eq!(event_for("note", "created"), None);
        assert_eq!(event_for("invoice", "partially_paid"), None);
        for e in EVENTS {
            let (entity, action) = e.split_once('.').unwrap();
            assert_eq!(event_for(entity, action), Some(e));
        }
    }

    #[test]
    fn input_names_the_bad_field() {
        let bad = WebhookInput {
            url: "ftp://x".into(),
            events: vec!["lead.eaten".into()],
        };
        let fields: Vec<_> = bad
            .validate()
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["url", "events"]);
        let ok = WebhookInput {
            url: "https://hooks.example/in".into(),
            events: vec!["lead.won".into(), "lead.won".into()],
        };
        assert_eq!(ok.validate().unwrap().1, ["lead.won"]);
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let current = Webhook {
            id: WebhookId::new(),
            url: "https://hooks.example/in".into(),
            events: vec!["lead.won".into()],
            active: true,
            version: 3,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let pause = WebhookPatch {
            version: 3,
            url: None,
            events: None,
            active: Some(false),
        };
        let next = pause.apply(&current).unwrap();
        assert_eq!(
            (next.url.as_str(), next.events.len(), next.active),
            ("https://hooks.example/in", 1, false)
        );
        let bad = WebhookPatch {
            version: 3,
            url: Some("hooks.example".into()),
            events: Some(vec![]),
            active: None,
        };
        let fields: Vec<_> = bad
            .apply(&current)
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["url", "events"]);
    }
}
