//! Automated reminders for staff (issue 6): a warranty about to end, a
//! membership about to renew, a follow-up falling due. The worker raises
//! each once per event; how many days ahead is an organisation setting.

use crate::comms::Channel;
use crate::customers::ContactMethod;
use crate::templates::{Content, reminder_content};
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

/// How many days ahead each kind of reminder is raised, and who hears of
/// it besides the dashboard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReminderSettings {
    /// Remind this many days before a warranty ends (0–365).
    pub warranty_days: i64,
    /// Remind this many days before a membership renews (0–365).
    pub membership_days: i64,
    /// Remind this many days before a follow-up task is due (0–365; 0: on the day).
    pub follow_up_days: i64,
    /// Also email each new reminder to its assignee, or to the owner when
    /// it has none.
    pub email_staff: bool,
    /// Which reminders also go to the customer, by their preferred contact
    /// method (email or SMS, else whichever they have).
    pub notify_customers: CustomerKinds<bool>,
    /// What the customer is sent. Besides the usual merge fields these may
    /// use `{{item}}` (the equipment, the membership plan) and `{{date}}`.
    pub customer_messages: CustomerKinds<CustomerMessage>,
    /// Send it back with a change; 0 until first saved.
    pub version: i64,
}

/// One value per kind of reminder a customer can be sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct CustomerKinds<T> {
    pub warranty_expiring: T,
    pub membership_renewal: T,
}

/// A change to [`CustomerKinds`]: an absent kind stays as it is.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, bound(deserialize = "T: Deserialize<'de>"))]
pub struct CustomerKindsPatch<T> {
    // utoipa documents a generic `Option<T>` as T, not nullable (and
    // ignores `nullable` here), so null is refused rather than taken as
    // "unchanged" against the schema.
    #[serde(default, deserialize_with = "crate::wire::not_null")]
    pub warranty_expiring: Option<T>,
    #[serde(default, deserialize_with = "crate::wire::not_null")]
    pub membership_renewal: Option<T>,
}

impl<T> CustomerKinds<T> {
    /// The value of a customer-facing kind; follow-ups are for staff only.
    pub fn get(&self, kind: ReminderKind) -> Option<&T> {
        match kind {
            ReminderKind::WarrantyExpiring => Some(&self.warranty_expiring),
            ReminderKind::MembershipRenewal => Some(&self.membership_renewal),
            ReminderKind::FollowUpDue => None,
        }
    }
}

/// A reminder message to customers: the email and the SMS version, since
/// which one goes out depends on the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct CustomerMessage {
    pub email_subject: String,
    pub email_body: String,
    pub sms_body: String,
}

impl CustomerMessage {
    /// The text to send on `channel` (email or SMS).
    pub fn content(&self, channel: Channel) -> Content {
        match channel {
            Channel::Email => Content {
                channel,
                subject: Some(self.email_subject.clone()),
                body: self.email_body.clone(),
            },
            _ => Content {
                channel,
                subject: None,
                body: self.sms_body.clone(),
            },
        }
    }
}

/// A change to a reminder message; absent texts stay.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerMessagePatch {
    pub email_subject: Option<String>,
    pub email_body: Option<String>,
    pub sms_body: Option<String>,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        ReminderSettings {
            warranty_days: 30,
            membership_days: 14,
            follow_up_days: 1,
            email_staff: false,
            notify_customers: CustomerKinds::default(),
            customer_messages: CustomerKinds {
                warranty_expiring: CustomerMessage {
                    email_subject: "The warranty on your {{item}} ends {{date}}".into(),
                    email_body: "Hi {{first_name}},\n\nThe warranty on your {{item}} ends on {{date}}. \
                        Reply to this email to book a check-up with {{org_name}} while it still covers you."
                        .into(),
                    sms_body: "{{org_name}}: the warranty on your {{item}} ends {{date}}. \
                        Reply to book a check-up while it still covers you."
                        .into(),
                },
                membership_renewal: CustomerMessage {
                    email_subject: "Your {{item}} membership renews {{date}}".into(),
                    email_body: "Hi {{first_name}},\n\nYour {{item}} membership with {{org_name}} \
                        renews on {{date}}. Reply to this email with any questions."
                        .into(),
                    sms_body: "{{org_name}}: your {{item}} membership renews {{date}}. \
                        Reply with any questions."
                        .into(),
                },
            },
            version: 0,
        }
    }
}

/// A change to the settings; absent fields stay.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderSettingsPatch {
    pub version: i64,
    pub warranty_days: Option<i64>,
    pub membership_days: Option<i64>,
    pub follow_up_days: Option<i64>,
    pub email_staff: Option<bool>,
    pub notify_customers: Option<CustomerKindsPatch<bool>>,
    pub customer_messages: Option<CustomerKindsPatch<CustomerMessagePatch>>,
}

pub const MAX_DAYS_AHEAD: i64 = 365;

impl ReminderSettings {
    pub fn patched(&self, p: &ReminderSettingsPatch) -> Result<ReminderSettings, Invalid> {
        let notify = p.notify_customers.clone().unwrap_or_default();
        let messages = p.customer_messages.clone().unwrap_or_default();
        let message = |current: &CustomerMessage, patch: Option<CustomerMessagePatch>| {
            let patch = patch.unwrap_or_default();
            CustomerMessage {
                email_subject: patch
                    .email_subject
                    .unwrap_or_else(|| current.email_subject.clone()),
                email_body: patch
                    .email_body
                    .unwrap_or_else(|| current.email_body.clone()),
                sms_body: patch.sms_body.unwrap_or_else(|| current.sms_body.clone()),
            }
        };
        let next = ReminderSettings {
            warranty_days: p.warranty_days.unwrap_or(self.warranty_days),
            membership_days: p.membership_days.unwrap_or(self.membership_days),
            follow_up_days: p.follow_up_days.unwrap_or(self.follow_up_days),
            email_staff: p.email_staff.unwrap_or(self.email_staff),
            notify_customers: CustomerKinds {
                warranty_expiring: notify
                    .warranty_expiring
                    .unwrap_or(self.notify_customers.warranty_expiring),
                membership_renewal: notify
                    .membership_renewal
                    .unwrap_or(self.notify_customers.membership_renewal),
            },
            customer_messages: CustomerKinds {
                warranty_expiring: message(
                    &self.customer_messages.warranty_expiring,
                    messages.warranty_expiring,
                ),
                membership_renewal: message(
                    &self.customer_messages.membership_renewal,
                    messages.membership_renewal,
                ),
            },
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
        for (kind, m) in [
            (
                "warranty_expiring",
                &next.customer_messages.warranty_expiring,
            ),
            (
                "membership_renewal",
                &next.customer_messages.membership_renewal,
            ),
        ] {
            let email = reminder_content(Channel::Email, Some(&m.email_subject), &m.email_body);
            let sms = reminder_content(Channel::Sms, None, &m.sms_body);
            for (channel, checked) in [("email", email), ("sms", sms)] {
                for e in checked.err().map(|i| i.0).unwrap_or_default() {
                    errors.push(
                        format!("customer_messages.{kind}.{channel}_{}", e.field),
                        e.message,
                    );
                }
            }
        }
        errors.or_ok(next)
    }
}

/// How a reminder reaches a customer: their preferred method when it is
/// email or SMS and they have the address or number for it, otherwise
/// whichever they have (a phone first for those who prefer calls).
pub fn customer_channel(
    preferred: ContactMethod,
    has_email: bool,
    has_phone: bool,
) -> Option<Channel> {
    let order = match preferred {
        ContactMethod::Email => [Channel::Email, Channel::Sms],
        ContactMethod::Sms | ContactMethod::Call => [Channel::Sms, Channel::Email],
    };
    order.into_iter().find(|c| match c {
        Channel::Email => has_email,
        _ => has_phone,
    })
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
            email_staff: None,
            notify_customers: None,
            customer_messages: None,
        };
        let next = s.patched(&p(Some(60), None)).unwrap();
        assert_eq!((next.warranty_days, next.follow_up_days), (60, 1));
        let err = s.patched(&p(Some(-1), Some(400))).unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["warranty_days", "follow_up_days"]);
    }

    #[test]
    fn the_default_messages_are_valid() {
        let s = ReminderSettings::default();
        let none = ReminderSettingsPatch {
            version: 0,
            warranty_days: None,
            membership_days: None,
            follow_up_days: None,
            email_staff: None,
            notify_customers: None,
            customer_messages: None,
        };
        assert_eq!(s.patched(&none).unwrap(), s);
    }

    #[test]
    fn a_message_change_keeps_the_rest_and_names_the_bad_text() {
        let s = ReminderSettings::default();
        let patch: ReminderSettingsPatch = serde_json::from_value(serde_json::json!({
            "version": 0,
            "notify_customers": {"membership_renewal": true},
            "customer_messages": {"warranty_expiring": {"sms_body": "Ends {{date}} for {{item}}"}}
        }))
        .unwrap();
        let next = s.patched(&patch).unwrap();
        assert!(next.notify_customers.membership_renewal);
        assert!(!next.notify_customers.warranty_expiring);
        let w = &next.customer_messages.warranty_expiring;
        assert_eq!(w.sms_body, "Ends {{date}} for {{item}}");
        assert_eq!(
            w.email_body,
            s.customer_messages.warranty_expiring.email_body
        );

        let bad: ReminderSettingsPatch = serde_json::from_value(serde_json::json!({
            "version": 0,
            "customer_messages": {"membership_renewal": {"email_subject": "", "sms_body": "Hi {{nickname}}"}}
        }))
        .unwrap();
        let fields: Vec<_> = s
            .patched(&bad)
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "customer_messages.membership_renewal.email_subject",
                "customer_messages.membership_renewal.sms_body"
            ]
        );
    }

    #[test]
    fn customers_get_their_preferred_channel_or_what_they_have() {
        use ContactMethod::*;
        assert_eq!(customer_channel(Email, true, true), Some(Channel::Email));
        assert_eq!(customer_channel(Sms, true, true), Some(Channel::Sms));
        assert_eq!(customer_channel(Call, true, true), Some(Channel::Sms));
        assert_eq!(customer_channel(Sms, true, false), Some(Channel::Email));
        assert_eq!(customer_channel(Email, false, true), Some(Channel::Sms));
        assert_eq!(customer_channel(Email, false, false), None);
    }
}
