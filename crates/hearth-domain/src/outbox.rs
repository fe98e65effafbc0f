//! The transactional outbox: every message that leaves Hearth (email, SMS,
//! webhook delivery) is first a row written in the same transaction as the
//! change that caused it, then delivered by a worker with retries.

use crate::{CommunicationId, OrgId, OutboxId, WebhookId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::ToSchema;

/// Where a delivery is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting for its first or next attempt.
    Pending,
    Sent,
    /// Gave up after the last attempt (a dead letter).
    Failed,
}

impl OutboxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<OutboxStatus> {
        [
            OutboxStatus::Pending,
            OutboxStatus::Sent,
            OutboxStatus::Failed,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// What to deliver. Stored as JSON in the outbox row; everything the worker
/// needs except a webhook subscription's URL and secret, which it reads at
/// delivery time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Delivery {
    Email {
        to: String,
        subject: String,
        /// Plain text as written; links and the open pixel are added at
        /// delivery from `tracking`.
        body: String,
        #[serde(default)]
        tracking: Option<crate::tracking::Tokens>,
    },
    Sms {
        to: String,
        body: String,
    },
    /// Sent to the subscription's URL at the time of each attempt.
    Webhook {
        event: String,
        /// The exact JSON text that is signed and sent.
        body: String,
    },
}

impl Delivery {
    pub fn kind(&self) -> &'static str {
        match self {
            Delivery::Email { .. } => "email",
            Delivery::Sms { .. } => "sms",
            Delivery::Webhook { .. } => "webhook",
        }
    }
}

/// One row as a worker claimed it.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub id: OutboxId,
    pub org_id: OrgId,
    pub communication_id: Option<CommunicationId>,
    pub webhook_id: Option<WebhookId>,
    pub delivery: Delivery,
    /// Including the one now under way.
    pub attempts: i64,
    /// Proves the claim is still this worker's when it reports back.
    pub claim: uuid::Uuid,
}

impl Claimed {
    /// The stable key a receiver dedupes on: the same for every attempt of
    /// this row, different for every other row.
    pub fn idempotency_key(&self) -> String {
        self.id.0.simple().to_string()
    }
}

/// How often and how patiently deliveries are retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all before a row becomes a dead letter.
    pub max_attempts: i64,
    /// Wait after the first failure; doubles with each further one.
    pub base: Duration,
    /// The longest wait between two attempts.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            base: Duration::from_secs(30),
            cap: Duration::from_secs(6 * 3600),
        }
    }
}

impl RetryPolicy {
    /// After `attempts` failed attempts: when to try again, or `None` when
    /// the row is dead.
    pub fn next_attempt(&self, attempts: i64, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if attempts >= self.max_attempts {
            return None;
        }
        let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let wait = self
            .base
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(self.cap);
        Some(now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX))
    }
}

/// Queue depth and dead letters of one channel of one org.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct QueueCounts {
    pub pending: i64,
    pub failed: i64,
}

/// One channel's health as the settings page and `/healthz` show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ChannelStatus {
    #[serde(flatten)]
    pub health: crate::channels::ChannelHealth,
    pub label: String,
    /// False when the last attempt failed: someone should look.
    pub healthy: bool,
    /// Messages waiting for their first or next attempt (outbound only).
    pub queued: i64,
    /// Messages that gave up after their last attempt.
    pub dead_letters: i64,
}

impl ChannelStatus {
    pub fn new(health: crate::channels::ChannelHealth, queue: QueueCounts) -> ChannelStatus {
        ChannelStatus {
            label: health.channel.label().to_string(),
            healthy: health.healthy(),
            queued: queue.pending,
            dead_letters: queue.failed,
            health,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_then_gives_up() {
        let p = RetryPolicy {
            max_attempts: 5,
            base: Duration::from_secs(10),
            cap: Duration::from_secs(50),
        };
        let t0 = DateTime::from_timestamp(1_000, 0).unwrap();
        let wait = |n| (p.next_attempt(n, t0).unwrap() - t0).num_seconds();
        assert_eq!(wait(1), 10);
        assert_eq!(wait(2), 20);
        assert_eq!(wait(3), 40);
        assert_eq!(wait(4), 50);
        assert_eq!(p.next_attempt(5, t0), None);
    }

    #[test]
    fn deliveries_round_trip_as_json() {
        let d = Delivery::Sms {
            to: "+15125550188".into(),
            body: "On our way".into(),
        };
        let text = serde_json::to_string(&d).unwrap();
        assert!(text.contains("\"kind\":\"sms\""));
        assert_eq!(serde_json::from_str::<Delivery>(&text).unwrap(), d);
    }
}
