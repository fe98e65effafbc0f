//! An organisation's billing settings: its currency, payment terms and
//! loyalty rule. An organisation that never saved any gets the defaults.

use super::money::Currency;
use crate::Invalid;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BillingSettings {
    /// Used when a quote, invoice or plan names no currency.
    pub default_currency: Currency,
    /// A new quote is valid for this many days unless it says otherwise.
    pub quote_valid_days: i64,
    /// A new invoice is due this many days after it is created unless it
    /// says otherwise.
    pub invoice_due_days: i64,
    /// Loyalty points a customer earns per whole currency unit (1.00) of a
    /// paid invoice; 0 turns earning off.
    pub loyalty_points_per_unit: i64,
    /// Send it back with a change; 0 until first saved.
    pub version: i64,
}

impl Default for BillingSettings {
    fn default() -> Self {
        BillingSettings {
            default_currency: Currency::USD,
            quote_valid_days: 30,
            invoice_due_days: 14,
            loyalty_points_per_unit: 1,
            version: 0,
        }
    }
}

/// A change to the settings; absent fields stay.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillingSettingsPatch {
    pub version: i64,
    pub default_currency: Option<Currency>,
    #[schema(minimum = 1, maximum = 365)]
    pub quote_valid_days: Option<i64>,
    #[schema(minimum = 0, maximum = 365)]
    pub invoice_due_days: Option<i64>,
    #[schema(minimum = 0, maximum = 1000)]
    pub loyalty_points_per_unit: Option<i64>,
}

impl BillingSettings {
    pub fn patched(&self, p: &BillingSettingsPatch) -> Result<BillingSettings, Invalid> {
        let next = BillingSettings {
            default_currency: p.default_currency.unwrap_or(self.default_currency),
            quote_valid_days: p.quote_valid_days.unwrap_or(self.quote_valid_days),
            invoice_due_days: p.invoice_due_days.unwrap_or(self.invoice_due_days),
            loyalty_points_per_unit: p
                .loyalty_points_per_unit
                .unwrap_or(self.loyalty_points_per_unit),
            version: self.version,
        };
        let mut errors = Invalid::default();
        if !(1..=365).contains(&next.quote_valid_days) {
            errors.push("quote_valid_days", "must be between 1 and 365");
        }
        if !(0..=365).contains(&next.invoice_due_days) {
            errors.push("invoice_due_days", "must be between 0 and 365");
        }
        if !(0..=1000).contains(&next.loyalty_points_per_unit) {
            errors.push("loyalty_points_per_unit", "must be between 0 and 1000");
        }
        errors.or_ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_ranges_are_the_enforced_ones() {
        crate::wire::assert_documented_bounds::<BillingSettingsPatch>(|field, value| {
            serde_json::from_value::<BillingSettingsPatch>(
                serde_json::json!({"version": 0, field: value}),
            )
            .is_ok_and(|p| BillingSettings::default().patched(&p).is_ok())
        });
    }

    #[test]
    fn defaults_earn_one_point_per_unit_and_patches_are_checked() {
        let s = BillingSettings::default();
        assert_eq!(s.loyalty_points_per_unit, 1);
        let p: BillingSettingsPatch = serde_json::from_str(
            r#"{"version":0,"loyalty_points_per_unit":2,"default_currency":"eur"}"#,
        )
        .unwrap();
        let next = s.patched(&p).unwrap();
        assert_eq!(next.loyalty_points_per_unit, 2);
        assert_eq!(next.default_currency.as_str(), "EUR");
        let p: BillingSettingsPatch = serde_json::from_str(
            r#"{"version":0,"quote_valid_days":0,"loyalty_points_per_unit":-1}"#,
        )
        .unwrap();
        let err = s.patched(&p).unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["quote_valid_days", "loyalty_points_per_unit"]);
    }
}
