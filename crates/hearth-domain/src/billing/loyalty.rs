//! The loyalty points ledger (seed 002, "loyalty" in the 360° view): points
//! earned when an invoice is paid, redeemed by staff for the customer, or
//! adjusted by hand. The balance is the sum of the ledger and never drops
//! below zero.

use super::money::Currency;
use crate::customers::clean_text;
use crate::words::word_enum;
use crate::{CustomerId, Invalid, InvoiceId, LoyaltyEntryId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

word_enum!(LoyaltyKind {
    Earned => "earned",
    Redeemed => "redeemed",
    Adjusted => "adjusted",
});

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LoyaltyEntry {
    pub id: LoyaltyEntryId,
    pub customer_id: CustomerId,
    pub kind: LoyaltyKind,
    /// Positive when earned, negative when redeemed, either when adjusted.
    pub points: i64,
    pub reason: Option<String>,
    /// The paid invoice that earned them.
    pub invoice_id: Option<InvoiceId>,
    pub at: DateTime<Utc>,
}

/// `GET /api/v1/customers/{id}/loyalty`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LoyaltyAccount {
    pub customer_id: CustomerId,
    pub balance: i64,
    /// Newest first.
    pub entries: Vec<LoyaltyEntry>,
}

/// `POST /api/v1/customers/{id}/loyalty/redeem`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeemInput {
    /// At most the balance.
    pub points: i64,
    pub reason: Option<String>,
}

/// `POST /api/v1/customers/{id}/loyalty/adjust`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustInput {
    /// Added to the balance (negative removes); the balance stays ≥ 0.
    pub points: i64,
    /// Required: why the balance was changed by hand.
    pub reason: String,
}

const REASON_MAX: usize = 500;
const POINTS_MAX: i64 = 1_000_000_000;

/// Points a paid amount earns: whole currency units times the rule,
/// rounded down (2.99 USD at one point per unit earns 2 points).
pub fn points_for(amount_minor: i64, currency: Currency, points_per_unit: i64) -> i64 {
    if amount_minor <= 0 || points_per_unit <= 0 {
        return 0;
    }
    let earned = i128::from(amount_minor) * i128::from(points_per_unit)
        / i128::from(currency.minor_per_unit());
    i64::try_from(earned).unwrap_or(i64::MAX).min(POINTS_MAX)
}

impl RedeemInput {
    /// The points to take off (as a negative ledger entry) and the reason.
    pub fn validate(&self, balance: i64) -> Result<(i64, Option<String>), Invalid> {
        let mut errors = Invalid::default();
        if self.points <= 0 {
            errors.push("points", "must be more than 0");
        } else if self.points > balance {
            errors.push(
                "points",
                format!("is more than the balance of {balance} points"),
            );
        }
        let reason = clean_text("reason", self.reason.as_deref(), REASON_MAX, &mut errors);
        errors.or_ok((-self.points, reason))
    }
}

impl AdjustInput {
    pub fn validate(&self, balance: i64) -> Result<(i64, String), Invalid> {
        let mut errors = Invalid::default();
        if self.points == 0 {
            errors.push("points", "must not be 0");
        } else if self.points.abs() > POINTS_MAX {
            errors.push(
                "points",
                format!("must be between -{POINTS_MAX} and {POINTS_MAX}"),
            );
        } else if balance + self.points < 0 {
            errors.push(
                "points",
                format!("would take the balance of {balance} points below zero"),
            );
        }
        let reason = clean_text("reason", Some(&self.reason), REASON_MAX, &mut errors);
        if reason.is_none() && errors.0.iter().all(|e| e.field != "reason") {
            errors.push("reason", "is empty");
        }
        errors.or_ok((self.points, reason.unwrap_or_default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_whole_units_times_the_rule() {
        let usd = Currency::USD;
        assert_eq!(points_for(12_345, usd, 1), 123);
        assert_eq!(points_for(299, usd, 1), 2);
        assert_eq!(points_for(12_345, usd, 3), 370);
        assert_eq!(points_for(12_345, usd, 0), 0);
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(points_for(1500, jpy, 1), 1500);
    }

    #[test]
    fn redeeming_more_than_the_balance_is_refused() {
        let r = RedeemInput {
            points: 51,
            reason: Some("Discount".into()),
        };
        assert_eq!(r.validate(50).unwrap_err().0[0].field, "points");
        assert_eq!(r.validate(51).unwrap(), (-51, Some("Discount".into())));
        let zero = RedeemInput {
            points: 0,
            reason: None,
        };
        assert!(zero.validate(50).is_err());
    }

    #[test]
    fn adjustments_keep_the_balance_non_negative_and_need_a_reason() {
        let a = AdjustInput {
            points: -20,
            reason: "Goodwill reversal".into(),
        };
        assert!(a.validate(19).is_err());
        assert_eq!(a.validate(20).unwrap().0, -20);
        let no_reason = AdjustInput {
            points: 5,
            reason: " ".into(),
        };
        assert_eq!(no_reason.validate(0).unwrap_err().0[0].field, "reason");
    }
}
