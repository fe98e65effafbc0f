//! The communication log (seed 001): every SMS, email, call, chat and
//! portal or system message exchanged with a customer or lead.

use crate::history::Actor;
use crate::words::word_enum;
use crate::{CommunicationId, CustomerId, Invalid, LeadId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

word_enum!(
    /// How a message travelled.
    Channel {
        Sms => "sms",
        Email => "email",
        Call => "call",
        Chat => "chat",
        Whatsapp => "whatsapp",
        Portal => "portal",
        System => "system",
    }
);

word_enum!(
    /// From the customer (`in`) or to them (`out`).
    Direction {
        In => "in",
        Out => "out",
    }
);

word_enum!(
    /// Where a message is in its delivery.
    CommStatus {
        Queued => "queued",
        Sent => "sent",
        Delivered => "delivered",
        Failed => "failed",
        Received => "received",
    }
);

/// One logged communication.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Communication {
    pub id: CommunicationId,
    pub customer_id: Option<CustomerId>,
    pub lead_id: Option<LeadId>,
    pub channel: Channel,
    pub direction: Direction,
    pub subject: Option<String>,
    /// The full content (email text, SMS text, call notes).
    pub body: String,
    pub status: CommStatus,
    /// Calls only.
    pub duration_seconds: Option<i64>,
    /// Calls only: how it went (`spoke`, `no_answer`, …, or free text).
    pub outcome: Option<String>,
    /// The team member, key or system that logged or sent it.
    pub author: Actor,
    pub occurred_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// Sent email: when its recipient first opened it.
    pub opened_at: Option<DateTime<Utc>>,
    /// Sent email: when its recipient first followed a link in it.
    pub clicked_at: Option<DateTime<Utc>>,
    /// Status `failed`: why the last delivery attempt failed.
    pub delivery_error: Option<String>,
}

/// A call as staff log it: `POST /api/v1/communications/calls`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallLogInput {
    pub customer_id: CustomerId,
    pub direction: Direction,
    /// 0 to 86,400 seconds.
    #[serde(default)]
    pub duration_seconds: Option<i64>,
    /// Up to 100 characters.
    #[serde(default)]
    pub outcome: Option<String>,
    /// Up to 10,000 characters.
    #[serde(default)]
    pub notes: Option<String>,
    /// When the call took place; now if absent.
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
}

/// A call's fields after validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallLog {
    pub direction: Direction,
    pub duration_seconds: Option<i64>,
    pub outcome: Option<String>,
    pub notes: String,
}

pub const OUTCOME_MAX: usize = 100;
pub const BODY_MAX: usize = 10_000;
pub const CALL_MAX_SECONDS: i64 = 86_400;

fn text(raw: &Option<String>) -> Option<String> {
    raw.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl CallLogInput {
    pub fn validate(&self) -> Result<CallLog, Invalid> {
        let mut errors = Invalid::default();
        if let Some(d) = self.duration_seconds
            && !(0..=CALL_MAX_SECONDS).contains(&d)
        {
            errors.push(
                "duration_seconds",
                format!("must be between 0 and {CALL_MAX_SECONDS}"),
            );
        }
        let outcome = text(&self.outcome);
        if outcome
            .as_ref()
            .is_some_and(|o| o.chars().count() > OUTCOME_MAX)
        {
            errors.push(
                "outcome",
                format!("is longer than {OUTCOME_MAX} characters"),
            );
        }
        let notes = text(&self.notes).unwrap_or_default().replace("\r\n", "\n");
        if notes.chars().count() > BODY_MAX {
            errors.push("notes", format!("is longer than {BODY_MAX} characters"));
        }
        errors.or_ok(CallLog {
            direction: self.direction,
            duration_seconds: self.duration_seconds,
            outcome,
            notes,
        })
    }
}

/// The timeline line for a communication.
pub fn summary(channel: Channel, direction: Direction, outcome: Option<&str>) -> String {
    let what = match channel {
        Channel::Call => "call",
        Channel::Sms => "text message",
        Channel::Email => "email",
        Channel::Chat => "chat",
        Channel::Whatsapp => "WhatsApp message",
        Channel::Portal => "portal activity",
        Channel::System => "system message",
    };
    let dir = match direction {
        Direction::In => "Inbound",
        Direction::Out => "Outbound",
    };
    match outcome {
        Some(o) => format!("{dir} {what}: {}", o.replace('_', " ")),
        None => format!("{dir} {what}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(duration: Option<i64>, outcome: Option<&str>) -> CallLogInput {
        CallLogInput {
            customer_id: CustomerId::new(),
            direction: Direction::Out,
            duration_seconds: duration,
            outcome: outcome.map(str::to_string),
            notes: Some("  Booked a visit \r\n".into()),
            occurred_at: None,
        }
    }

    #[test]
    fn a_call_is_trimmed_and_checked() {
        let ok = call(Some(90), Some(" spoke ")).validate().unwrap();
        assert_eq!(ok.outcome.as_deref(), Some("spoke"));
        assert_eq!(ok.notes, "Booked a visit");
        let bad = call(Some(-1), Some(&"x".repeat(101)))
            .validate()
            .unwrap_err();
        let fields: Vec<_> = bad.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["duration_seconds", "outcome"]);
    }

    #[test]
    fn words_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(*c));
        }
        assert_eq!(CommStatus::parse("bounced"), None);
        assert_eq!(
            summary(Channel::Call, Direction::Out, Some("no_answer")),
            "Outbound call: no answer"
        );
    }
}
