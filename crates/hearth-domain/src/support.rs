//! Support tickets (seed 002: the 360° view aggregates "support history"):
//! a customer's question or complaint, its conversation, and where it
//! stands.

use crate::customers::clean_text;
use crate::words::word_enum;
use crate::{CustomerId, Invalid, TicketId, TicketMessageId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

word_enum!(
    TicketStatus {
        /// Waiting for us.
        Open => "open",
        /// Waiting for the customer or a third party.
        Pending => "pending",
        Resolved => "resolved",
        Closed => "closed",
    }
);

impl TicketStatus {
    /// Open and pending tickets still need attention.
    pub fn is_active(self) -> bool {
        matches!(self, TicketStatus::Open | TicketStatus::Pending)
    }
}

word_enum!(TicketChannel {
    Email => "email",
    Phone => "phone",
    Chat => "chat",
    Portal => "portal",
    Other => "other",
});

word_enum!(TicketPriority {
    Low => "low",
    Normal => "normal",
    High => "high",
    Urgent => "urgent",
});

word_enum!(
    /// Who wrote a message: a team member, or the customer (a reply taken
    /// down from a call or pasted from an email).
    MessageAuthor {
        Staff => "staff",
        Customer => "customer",
    }
);

/// A ticket's editable fields, validated; what the audit log compares.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TicketFields {
    pub subject: String,
    pub status: TicketStatus,
    pub channel: TicketChannel,
    pub priority: TicketPriority,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Ticket {
    pub id: TicketId,
    pub customer_id: CustomerId,
    pub subject: String,
    pub status: TicketStatus,
    pub channel: TicketChannel,
    pub priority: TicketPriority,
    pub message_count: i64,
    pub last_message_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketInput {
    pub customer_id: CustomerId,
    pub subject: String,
    /// Defaults to `other`.
    pub channel: Option<TicketChannel>,
    /// Defaults to `normal`.
    pub priority: Option<TicketPriority>,
    /// The first message, if the ticket opens with one.
    pub body: Option<String>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketPatch {
    pub version: i64,
    pub subject: Option<String>,
    pub status: Option<TicketStatus>,
    pub channel: Option<TicketChannel>,
    pub priority: Option<TicketPriority>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TicketMessage {
    pub id: TicketMessageId,
    pub ticket_id: TicketId,
    pub author: MessageAuthor,
    /// The team member's or the customer's name.
    pub author_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = TicketMessageInput)]
pub struct MessageInput {
    pub body: String,
    /// Defaults to `staff`.
    pub author: Option<MessageAuthor>,
}

const SUBJECT_MAX: usize = 200;
const BODY_MAX: usize = 20_000;

fn subject(raw: &str, errors: &mut Invalid) -> String {
    let before = errors.0.len();
    let s = clean_text("subject", Some(raw), SUBJECT_MAX, errors);
    if s.is_none() && errors.0.len() == before {
        errors.push("subject", "is empty");
    }
    s.unwrap_or_default()
}

/// A message body: trimmed, not empty, at most 20,000 characters.
pub fn message_body(raw: &str, errors: &mut Invalid) -> String {
    let before = errors.0.len();
    let b = clean_text("body", Some(raw), BODY_MAX, errors);
    if b.is_none() && errors.0.len() == before {
        errors.push("body", "is empty");
    }
    b.unwrap_or_default()
}

impl TicketInput {
    /// The ticket's fields and its first message, if any.
    pub fn validate(&self) -> Result<(TicketFields, Option<String>), Invalid> {
        let mut errors = Invalid::default();
        let subject = subject(&self.subject, &mut errors);
        let body = self
            .body
            .as_deref()
            .filter(|b| !b.trim().is_empty())
            .map(|b| message_body(b, &mut errors));
        errors.or_ok((
            TicketFields {
                subject,
                status: TicketStatus::Open,
                channel: self.channel.unwrap_or(TicketChannel::Other),
                priority: self.priority.unwrap_or(TicketPriority::Normal),
            },
            body,
        ))
    }
}

impl TicketFields {
    pub fn patched(&self, p: &TicketPatch) -> Result<TicketFields, Invalid> {
        let mut errors = Invalid::default();
        let subject = match &p.subject {
            Some(s) => subject(s, &mut errors),
            None => self.subject.clone(),
        };
        errors.or_ok(TicketFields {
            subject,
            status: p.status.unwrap_or(self.status),
            channel: p.channel.unwrap_or(self.channel),
            priority: p.priority.unwrap_or(self.priority),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_tickets_open_with_defaults() {
        let input: TicketInput = serde_json::from_value(serde_json::json!({
            "customer_id": uuid::Uuid::nil(),
            "subject": " No heat ",
            "body": "Furnace clicks but does not light."
        }))
        .unwrap();
        let (f, body) = input.validate().unwrap();
        assert_eq!(f.subject, "No heat");
        assert_eq!(f.status, TicketStatus::Open);
        assert_eq!(f.channel, TicketChannel::Other);
        assert_eq!(f.priority, TicketPriority::Normal);
        assert!(body.is_some());
    }

    #[test]
    fn empty_subjects_and_bodies_are_named() {
        let mut errors = Invalid::default();
        subject("  ", &mut errors);
        message_body("", &mut errors);
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["subject", "body"]);
        assert!(TicketStatus::Pending.is_active());
        assert!(!TicketStatus::Resolved.is_active());
    }
}
