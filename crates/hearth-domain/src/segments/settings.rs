//! The thresholds behind the built-in segments, per organisation; the
//! defaults until first saved.

use crate::Invalid;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SegmentSettings {
    /// VIP from this lifetime value: payments received, in minor units of
    /// the organisation's default currency.
    pub vip_lifetime_value_minor: i64,
    /// VIP from this many bookings (jobs not cancelled), past and upcoming.
    pub vip_bookings: i64,
    /// At Risk after this many days without a booking.
    pub at_risk_days: i64,
    /// New for this many days after the account was created.
    pub new_days: i64,
    /// Send it back with a change; 0 until first saved.
    pub version: i64,
}

impl Default for SegmentSettings {
    fn default() -> Self {
        SegmentSettings {
            vip_lifetime_value_minor: 250_000,
            vip_bookings: 6,
            at_risk_days: 45,
            new_days: 30,
            version: 0,
        }
    }
}

/// A change to the thresholds; absent fields stay.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentSettingsPatch {
    pub version: i64,
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub vip_lifetime_value_minor: Option<i64>,
    #[schema(minimum = 1, maximum = 10_000)]
    pub vip_bookings: Option<i64>,
    #[schema(minimum = 1, maximum = 3650)]
    pub at_risk_days: Option<i64>,
    #[schema(minimum = 1, maximum = 3650)]
    pub new_days: Option<i64>,
}

impl SegmentSettings {
    pub fn patched(&self, p: &SegmentSettingsPatch) -> Result<SegmentSettings, Invalid> {
        let next = SegmentSettings {
            vip_lifetime_value_minor: p
                .vip_lifetime_value_minor
                .unwrap_or(self.vip_lifetime_value_minor),
            vip_bookings: p.vip_bookings.unwrap_or(self.vip_bookings),
            at_risk_days: p.at_risk_days.unwrap_or(self.at_risk_days),
            new_days: p.new_days.unwrap_or(self.new_days),
            version: self.version,
        };
        let mut errors = Invalid::default();
        let mut within = |field: &str, value: i64, max: i64| {
            if !(1..=max).contains(&value) {
                errors.push(field, format!("must be between 1 and {max}"));
            }
        };
        within(
            "vip_lifetime_value_minor",
            next.vip_lifetime_value_minor,
            super::filter::MAX_NUMBER,
        );
        within("vip_bookings", next.vip_bookings, 10_000);
        within("at_risk_days", next.at_risk_days, 3650);
        within("new_days", next.new_days, 3650);
        errors.or_ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_ranges_are_the_enforced_ones() {
        crate::wire::assert_documented_bounds::<SegmentSettingsPatch>(|field, value| {
            serde_json::from_value::<SegmentSettingsPatch>(
                serde_json::json!({"version": 0, field: value}),
            )
            .is_ok_and(|p| SegmentSettings::default().patched(&p).is_ok())
        });
    }

    #[test]
    fn defaults_follow_the_seed_and_patches_are_checked() {
        let s = SegmentSettings::default();
        assert_eq!((s.at_risk_days, s.new_days), (45, 30));
        let patch = SegmentSettingsPatch {
            version: 0,
            vip_lifetime_value_minor: Some(0),
            vip_bookings: Some(3),
            at_risk_days: None,
            new_days: Some(4000),
        };
        let e = s.patched(&patch).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["vip_lifetime_value_minor", "new_days"]);
    }
}
