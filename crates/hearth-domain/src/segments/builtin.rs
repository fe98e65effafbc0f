//! The five segments every organisation has (seed 001), each a filter
//! over the organisation's thresholds, so they are read exactly like the
//! segments an organisation saves.

use super::filter::{Condition, Field, Filter, Match, Op, Operand};
use super::settings::SegmentSettings;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BuiltIn {
    Vip,
    AtRisk,
    New,
    Recurring,
    OneTime,
}

impl BuiltIn {
    pub const ALL: [BuiltIn; 5] = [
        BuiltIn::Vip,
        BuiltIn::AtRisk,
        BuiltIn::New,
        BuiltIn::Recurring,
        BuiltIn::OneTime,
    ];

    /// The key in URLs and the API.
    pub fn key(self) -> &'static str {
        match self {
            BuiltIn::Vip => "vip",
            BuiltIn::AtRisk => "at_risk",
            BuiltIn::New => "new",
            BuiltIn::Recurring => "recurring",
            BuiltIn::OneTime => "one_time",
        }
    }

    pub fn parse(key: &str) -> Option<BuiltIn> {
        BuiltIn::ALL.into_iter().find(|b| b.key() == key)
    }

    pub fn name(self) -> &'static str {
        match self {
            BuiltIn::Vip => "VIP",
            BuiltIn::AtRisk => "At Risk",
            BuiltIn::New => "New",
            BuiltIn::Recurring => "Recurring",
            BuiltIn::OneTime => "One-Time",
        }
    }

    /// Who is in it, in words, with the organisation's thresholds.
    pub fn describe(self, s: &SegmentSettings) -> String {
        match self {
            BuiltIn::Vip => format!(
                "Lifetime value of at least {} (minor units) or at least {} bookings",
                s.vip_lifetime_value_minor, s.vip_bookings
            ),
            BuiltIn::AtRisk => format!(
                "No booking in {}+ days, or a membership paused",
                s.at_risk_days
            ),
            BuiltIn::New => format!("Account created in the last {} days", s.new_days),
            BuiltIn::Recurring => "An active membership".to_string(),
            BuiltIn::OneTime => "Booked once, no active or paused membership".to_string(),
        }
    }

    /// The filter that decides membership.
    pub fn filter(self, s: &SegmentSettings) -> Filter {
        let c = |field, op, value| Condition { field, op, value };
        let membership = |state: &str| Operand::Text(state.to_string());
        let (matching, conditions) = match self {
            BuiltIn::Vip => (
                Match::Any,
                vec![
                    c(
                        Field::LifetimeValueMinor,
                        Op::Gte,
                        Operand::Number(s.vip_lifetime_value_minor),
                    ),
                    c(Field::Bookings, Op::Gte, Operand::Number(s.vip_bookings)),
                ],
            ),
            BuiltIn::AtRisk => (
                Match::Any,
                vec![
                    c(
                        Field::DaysSinceLastBooking,
                        Op::Gte,
                        Operand::Number(s.at_risk_days),
                    ),
                    c(Field::Membership, Op::Eq, membership("paused")),
                ],
            ),
            BuiltIn::New => (
                Match::All,
                vec![c(
                    Field::AccountAgeDays,
                    Op::Lt,
                    Operand::Number(s.new_days),
                )],
            ),
            BuiltIn::Recurring => (
                Match::All,
                vec![c(Field::Membership, Op::Eq, membership("active"))],
            ),
            BuiltIn::OneTime => (
                Match::All,
                vec![
                    c(Field::Bookings, Op::Eq, Operand::Number(1)),
                    c(
                        Field::Membership,
                        Op::In,
                        Operand::Texts(vec!["none".into(), "cancelled".into()]),
                    ),
                ],
            ),
        };
        Filter {
            matching,
            conditions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_thresholds_reach_the_filter() {
        for b in BuiltIn::ALL {
            assert_eq!(BuiltIn::parse(b.key()), Some(b));
        }
        assert_eq!(BuiltIn::parse("gold"), None);
        let s = SegmentSettings {
            at_risk_days: 60,
            ..Default::default()
        };
        let f = BuiltIn::AtRisk.filter(&s);
        assert_eq!(f.matching, Match::Any);
        assert_eq!(f.conditions[0].value, Operand::Number(60));
        // Every built-in uses only operators its fields allow, like a saved filter.
        for b in BuiltIn::ALL {
            for cond in b.filter(&s).conditions {
                assert!(cond.field.ops().contains(&cond.op), "{b:?} {cond:?}");
            }
        }
    }
}
