//! Membership plans (maintenance agreements: "two tune-ups a year for
//! 19.00 a month") and the customers enrolled in them (seed 000
//! "Membership — current plan, billing status, and renewal date").

use super::money::Currency;
use crate::customers::clean_text;
use crate::words::word_enum;
use crate::{CustomerId, Invalid, MembershipId, PlanId};
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

word_enum!(PlanInterval { Month => "month", Year => "year" });

word_enum!(MembershipStatus {
    Active => "active",
    Paused => "paused",
    Cancelled => "cancelled",
});

word_enum!(
    /// Read, never stored: an active membership whose renewal date has
    /// passed without a renewal is past due.
    BillingStatus {
        Current => "current",
        PastDue => "past_due",
    }
);

word_enum!(MembershipAction {
    Pause => "pause",
    Resume => "resume",
    Cancel => "cancel",
    Renew => "renew",
});

impl MembershipAction {
    /// The past tense the timeline uses: `paused`, `renewed`.
    pub fn done(self) -> &'static str {
        match self {
            MembershipAction::Pause => "paused",
            MembershipAction::Resume => "resumed",
            MembershipAction::Cancel => "cancelled",
            MembershipAction::Renew => "renewed",
        }
    }
}

/// A plan's fields, validated; also what the audit log compares.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct PlanFields {
    pub name: String,
    pub description: Option<String>,
    pub price_minor: i64,
    pub currency: Currency,
    pub interval: PlanInterval,
    /// Service visits included per interval.
    pub included_visits: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Plan {
    pub id: PlanId,
    #[serde(flatten)]
    pub fields: PlanFields,
    /// Archived plans take no new members; existing ones keep them.
    pub archived: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    #[schema(pattern = "\\S")]
    pub name: String,
    pub description: Option<String>,
    pub price_minor: i64,
    /// Defaults to the organisation's currency.
    pub currency: Option<Currency>,
    pub interval: PlanInterval,
    #[serde(default)]
    pub included_visits: i64,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanPatch {
    pub version: i64,
    #[schema(pattern = "\\S")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub price_minor: Option<i64>,
    pub currency: Option<Currency>,
    pub interval: Option<PlanInterval>,
    pub included_visits: Option<i64>,
    pub archived: Option<bool>,
}

const NAME_MAX: usize = 100;
const DESCRIPTION_MAX: usize = 2000;
/// A million in major units of a two-decimal currency.
const PRICE_MAX: i64 = 100_000_000;

impl PlanInput {
    pub fn validate(&self, default_currency: Currency) -> Result<PlanFields, Invalid> {
        let mut errors = Invalid::default();
        let name = clean_text("name", Some(&self.name), NAME_MAX, &mut errors);
        if name.is_none() && errors.0.is_empty() {
            errors.push("name", "is empty");
        }
        let description = clean_text(
            "description",
            self.description.as_deref(),
            DESCRIPTION_MAX,
            &mut errors,
        );
        if !(0..=PRICE_MAX).contains(&self.price_minor) {
            errors.push("price_minor", format!("must be between 0 and {PRICE_MAX}"));
        }
        if !(0..=365).contains(&self.included_visits) {
            errors.push("included_visits", "must be between 0 and 365");
        }
        errors.or_ok(PlanFields {
            name: name.unwrap_or_default(),
            description,
            price_minor: self.price_minor,
            currency: self.currency.unwrap_or(default_currency),
            interval: self.interval,
            included_visits: self.included_visits,
        })
    }
}

impl PlanFields {
    pub fn patched(&self, p: &PlanPatch) -> Result<PlanFields, Invalid> {
        PlanInput {
            name: p.name.clone().unwrap_or_else(|| self.name.clone()),
            description: match &p.description {
                Some(d) => d.clone(),
                None => self.description.clone(),
            },
            price_minor: p.price_minor.unwrap_or(self.price_minor),
            currency: Some(p.currency.unwrap_or(self.currency)),
            interval: p.interval.unwrap_or(self.interval),
            included_visits: p.included_visits.unwrap_or(self.included_visits),
        }
        .validate(self.currency)
    }
}

/// A customer's membership with the plan's terms as of today.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Membership {
    pub id: MembershipId,
    pub customer_id: CustomerId,
    pub plan_id: PlanId,
    pub plan_name: String,
    pub price_minor: i64,
    pub currency: Currency,
    pub interval: PlanInterval,
    pub included_visits: i64,
    pub status: MembershipStatus,
    pub billing_status: BillingStatus,
    pub started_on: NaiveDate,
    /// Intervals paid for so far, counting the first.
    pub periods: i64,
    /// `started_on` plus `periods` intervals.
    pub renews_on: NaiveDate,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipInput {
    pub customer_id: CustomerId,
    pub plan_id: PlanId,
    /// Defaults to today.
    pub started_on: Option<NaiveDate>,
}

/// The day a membership that started on `started_on` and has paid for
/// `periods` intervals renews. Always counted from the start, so a
/// membership begun on 31 January renews on 28 February and then on
/// 31 March, never drifting to the 28th.
pub fn renews_on(started_on: NaiveDate, interval: PlanInterval, periods: i64) -> NaiveDate {
    let months = match interval {
        PlanInterval::Month => periods,
        PlanInterval::Year => periods.saturating_mul(12),
    };
    u32::try_from(months)
        .ok()
        .and_then(|m| started_on.checked_add_months(Months::new(m)))
        .unwrap_or(NaiveDate::MAX)
}

/// Past due: active, and the renewal date is behind us.
pub fn billing_status(
    status: MembershipStatus,
    renews_on: NaiveDate,
    today: NaiveDate,
) -> BillingStatus {
    if status == MembershipStatus::Active && renews_on < today {
        BillingStatus::PastDue
    } else {
        BillingStatus::Current
    }
}

/// The status after `action`, or why it cannot happen. Renewing pays for
/// one more interval and keeps an active membership active; a cancelled
/// membership is final (enrol the customer again instead).
pub fn membership_after(
    status: MembershipStatus,
    action: MembershipAction,
) -> Result<MembershipStatus, Invalid> {
    use MembershipAction::*;
    use MembershipStatus::*;
    let next = match (status, action) {
        (Active, Pause) => Paused,
        (Paused, Resume) => Active,
        (Active | Paused, Cancel) => Cancelled,
        (Active, Renew) => Active,
        (Cancelled, _) => {
            return Err(Invalid::field(
                "status",
                format!("a cancelled membership cannot be {}", action.done()),
            ));
        }
        (Paused, Renew) => {
            return Err(Invalid::field(
                "status",
                "resume the membership before renewing it",
            ));
        }
        (s, a) => {
            return Err(Invalid::field(
                "status",
                format!("an {s} membership cannot be {}", a.done()),
            ));
        }
    };
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use MembershipAction::*;
    use MembershipStatus::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn renewals_count_from_the_start_and_never_drift() {
        let start = d(2026, 1, 31);
        assert_eq!(renews_on(start, PlanInterval::Month, 1), d(2026, 2, 28));
        assert_eq!(renews_on(start, PlanInterval::Month, 2), d(2026, 3, 31));
        assert_eq!(renews_on(start, PlanInterval::Year, 1), d(2027, 1, 31));
        assert_eq!(
            renews_on(d(2024, 2, 29), PlanInterval::Year, 1),
            d(2025, 2, 28)
        );
    }

    #[test]
    fn transitions() {
        assert_eq!(membership_after(Active, Pause), Ok(Paused));
        assert_eq!(membership_after(Paused, Resume), Ok(Active));
        assert_eq!(membership_after(Paused, Cancel), Ok(Cancelled));
        assert_eq!(membership_after(Active, Renew), Ok(Active));
        for a in MembershipAction::ALL {
            assert_eq!(
                membership_after(Cancelled, *a).unwrap_err().0[0].field,
                "status"
            );
        }
        assert!(membership_after(Active, Resume).is_err());
        assert!(membership_after(Paused, Pause).is_err());
        assert!(membership_after(Paused, Renew).is_err());
    }

    #[test]
    fn only_active_memberships_fall_past_due() {
        let renews = d(2026, 4, 1);
        assert_eq!(
            billing_status(Active, renews, d(2026, 4, 1)),
            BillingStatus::Current
        );
        assert_eq!(
            billing_status(Active, renews, d(2026, 4, 2)),
            BillingStatus::PastDue
        );
        assert_eq!(
            billing_status(Paused, renews, d(2026, 4, 2)),
            BillingStatus::Current
        );
    }

    #[test]
    fn plans_are_validated() {
        let bad = PlanInput {
            name: " ".into(),
            description: None,
            price_minor: -1,
            currency: None,
            interval: PlanInterval::Month,
            included_visits: -2,
        };
        let err = bad.validate(Currency::USD).unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "price_minor", "included_visits"]);
    }
}
