//! Automated reminders for staff (issue 6): a warranty about to end, a
//! membership about to renew, a follow-up falling due. The worker raises
//! each once per event; how many days ahead is an organisation setting.

use crate::{CustomerId, Invalid, LeadId, ReminderId, UserId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a reminder is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    WarrantyExpiring,
    MembershipRenewal,
    FollowUpDue,
}

impl ReminderKind {
    pub const ALL: [ReminderKind; 3] = [
        ReminderKind::WarrantyExpiring,
        ReminderKind::MembershipRenewal,
        ReminderKind::FollowUpDue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::WarrantyExpiring => "warranty_expiring",
            ReminderKind::MembershipRenewal => "membership_renewal",
            ReminderKind::FollowUpDue => "follow_up_due",
        }
    }

    pub fn parse(s: &str) -> Option<ReminderKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One reminder. Everything a notification needs (who, what, when) is on
/// the row, so sending it by email is one outbox call with these fields.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Reminder {
    pub id: ReminderId,
    pub kind: ReminderKind,
    /// The equipment, membership or task reminded of.
    pub subject_id: uuid::Uuid,
    /// The day of the event: warranty end, renewal, due date.
    pub event_on: NaiveDate,
    pub title: String,
    pub customer_id: Option<CustomerId>,
    pub lead_id: Option<LeadId>,
    /// The team member it is for; none means whoever looks.
    pub assignee_id: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub dismissed_at: Option<DateTime<Utc>>,
}

/// How many days ahead each kind of reminder is raised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReminderSettings {
    /// Remind this many days before a warranty ends (0–365).
    pub warranty_days: i64,
    /// Remind this many days before a membership renews (0–365).
    pub membership_days: i64,
    /// Remind this many days before a follow-up task is due (0–365; 0: on the day).
    pub follow_up_days: i64,
    /// Send it back with a change; 0 until first saved.
    pub version: i64,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        ReminderSettings {
            warranty_days: 30,
            membership_days: 14,
            follow_up_days: 1,
            version: 0,
        }
    }
}

/// A change to the settings; absent fields stay.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderSettingsPatch {
    #[serde(deserialize_with = "crate::wire::whole_number")]
    pub version: i64,
    pub warranty_days: Option<i64>,
    pub membership_days: Option<i64>,
    pub follow_up_days: Option<i64>,
}

pub const MAX_DAYS_AHEAD: i64 = 365;

impl ReminderSettings {
    pub fn patched(&self, p: &ReminderSettingsPatch) -> Result<ReminderSettings, Invalid> {
        let next = ReminderSettings {
            warranty_days: p.warranty_days.unwrap_or(self.warranty_days),
            membership_days: p.membership_days.unwrap_or(self.membership_days),
            follow_up_days: p.follow_up_days.unwrap_or(self.follow_up_days),
            version: self.version,
        };
        let mut errors = Invalid::default();
        for (field, days) in [
            ("warranty_days", next.warranty_days),
            ("membership_days", next.membership_days),
            ("follow_up_days", next.follow_up_days),
        ] {
            if !(0..=MAX_DAYS_AHEAD).contains(&days) {
                errors.push(field, format!("must be between 0 and {MAX_DAYS_AHEAD}"));
            }
        }
        errors.or_ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_patches_are_range_checked() {
        let s = ReminderSettings::default();
        let p = |w, f| ReminderSettingsPatch {
            version: 0,
            warranty_days: w,
            membership_days: None,
            follow_up_days: f,
        };
        let next = s.patched(&p(Some(60), None)).unwrap();
        assert_eq!((next.warranty_days, next.follow_up_days), (60, 1));
        let err = s.patched(&p(Some(-1), Some(400))).unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["warranty_days", "follow_up_days"]);
    }
}
