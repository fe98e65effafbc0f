//! The customer card's "Customer insights" strip and the call status staff
//! set to track their follow-up effort.

use crate::history::Actor;
use crate::tags::Tag;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The outcome of the last attempt to reach a customer by phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    Called,
    NoAnswer,
    LeftVoicemail,
    Spoke,
}

impl CallStatus {
    pub const ALL: [CallStatus; 4] = [
        CallStatus::Called,
        CallStatus::NoAnswer,
        CallStatus::LeftVoicemail,
        CallStatus::Spoke,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CallStatus::Called => "called",
            CallStatus::NoAnswer => "no_answer",
            CallStatus::LeftVoicemail => "left_voicemail",
            CallStatus::Spoke => "spoke",
        }
    }

    pub fn parse(s: &str) -> Option<CallStatus> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The words on the customer card's buttons.
    pub fn label(self) -> &'static str {
        match self {
            CallStatus::Called => "You have called them",
            CallStatus::NoAnswer => "No answer",
            CallStatus::LeftVoicemail => "Left a voicemail",
            CallStatus::Spoke => "You spoke to them",
        }
    }
}

/// A customer's call status with who set it and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct CallStatusRecord {
    pub status: CallStatus,
    pub set_by: Actor,
    pub set_at: DateTime<Utc>,
}

/// The body of `PUT /api/v1/customers/{id}/call-status`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallStatusInput {
    pub status: CallStatus,
}

/// What the store counted about a customer's activity. Jobs and
/// communications arrive in later changes; until then their counts are zero
/// and empty, and only the query that fills them needs to change.
#[derive(Clone, Debug, Default)]
pub struct ActivityCounts {
    pub completed_jobs: i64,
    /// Communications per channel (`call`, `sms`, `email`, …), most recently
    /// used channel first: that order breaks ties.
    pub communications_by_channel: Vec<(String, i64)>,
    pub pinned_notes: i64,
    pub last_activity_at: Option<DateTime<Utc>>,
}

/// The insights strip at the top of the customer card.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Insights {
    /// When they became a customer (may predate `created_at`).
    pub customer_since: NaiveDate,
    /// When the record was created in Hearth.
    pub created_at: DateTime<Utc>,
    pub completed_jobs: i64,
    /// The channel they use most (`call`, `sms`, `email`, …); `null` until
    /// there are communications.
    pub most_common_channel: Option<String>,
    pub call_status: Option<CallStatusRecord>,
    pub tags: Vec<Tag>,
    pub pinned_notes: i64,
    /// The newest entry on their timeline.
    pub last_activity_at: Option<DateTime<Utc>>,
}

/// Channels that say nothing about how the customer likes to talk to us.
const NOT_A_PREFERENCE: &[&str] = &["system"];

/// The channel with the most communications; a tie goes to the one listed
/// first (the most recently used), and automated system messages never count.
pub fn most_common_channel(counts: &[(String, i64)]) -> Option<String> {
    let mut best: Option<(&str, i64)> = None;
    for (channel, n) in counts {
        if *n <= 0 || NOT_A_PREFERENCE.contains(&channel.as_str()) {
            continue;
        }
        if best.is_none_or(|(_, top)| *n > top) {
            best = Some((channel, *n));
        }
    }
    best.map(|(channel, _)| channel.to_string())
}

/// Assembles the strip from the customer's dates, call status, tags and
/// the counted activity.
pub fn insights(
    customer_since: NaiveDate,
    created_at: DateTime<Utc>,
    call_status: Option<CallStatusRecord>,
    tags: Vec<Tag>,
    counts: &ActivityCounts,
) -> Insights {
    Insights {
        customer_since,
        created_at,
        completed_jobs: counts.completed_jobs.max(0),
        most_common_channel: most_common_channel(&counts.communications_by_channel),
        call_status,
        tags,
        pinned_notes: counts.pinned_notes.max(0),
        last_activity_at: counts.last_activity_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
        pairs.iter().map(|(c, n)| (c.to_string(), *n)).collect()
    }

    #[test]
    fn no_communications_means_no_channel() {
        assert_eq!(most_common_channel(&[]), None);
        assert_eq!(most_common_channel(&counts(&[("sms", 0)])), None);
    }

    #[test]
    fn the_busiest_channel_wins_and_ties_go_to_the_most_recent() {
        let c = counts(&[("email", 2), ("call", 5), ("sms", 5)]);
        assert_eq!(most_common_channel(&c).as_deref(), Some("call"));
        let c = counts(&[("sms", 3), ("call", 3)]);
        assert_eq!(most_common_channel(&c).as_deref(), Some("sms"));
    }

    #[test]
    fn system_messages_are_not_a_preference() {
        let c = counts(&[("system", 40), ("email", 1)]);
        assert_eq!(most_common_channel(&c).as_deref(), Some("email"));
    }

    #[test]
    fn before_jobs_and_communications_exist_the_strip_is_empty_but_valid() {
        let since = NaiveDate::from_ymd_opt(2019, 4, 1).unwrap();
        let created = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let i = insights(since, created, None, vec![], &ActivityCounts::default());
        assert_eq!(i.completed_jobs, 0);
        assert_eq!(i.most_common_channel, None);
        assert_eq!(i.customer_since, since);
        assert_eq!(i.pinned_notes, 0);
    }

    #[test]
    fn call_statuses_round_trip_and_have_labels() {
        for s in CallStatus::ALL {
            assert_eq!(CallStatus::parse(s.as_str()), Some(s));
            let json = serde_json::to_value(s).unwrap();
            assert_eq!(json, s.as_str());
        }
        assert_eq!(CallStatus::parse("busy"), None);
        assert_eq!(CallStatus::Spoke.label(), "You spoke to them");
    }
}
