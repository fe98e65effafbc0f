//! The lead score (seed 000, "Lead Scoring"): 0–100 from engagement
//! signals, each worth its kind's weight when fresh and half as much every
//! half-life, so a burst of activity last week outranks a form filled in last
//! year.

use crate::Invalid;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Something a prospect did that shows intent.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    FormSubmission,
    WebsiteVisit,
    EmailOpen,
    EmailClick,
    QuoteViewed,
    InboundCall,
    Chat,
}

impl SignalKind {
    pub const ALL: [SignalKind; 7] = [
        SignalKind::FormSubmission,
        SignalKind::WebsiteVisit,
        SignalKind::EmailOpen,
        SignalKind::EmailClick,
        SignalKind::QuoteViewed,
        SignalKind::InboundCall,
        SignalKind::Chat,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::FormSubmission => "form_submission",
            SignalKind::WebsiteVisit => "website_visit",
            SignalKind::EmailOpen => "email_open",
            SignalKind::EmailClick => "email_click",
            SignalKind::QuoteViewed => "quote_viewed",
            SignalKind::InboundCall => "inbound_call",
            SignalKind::Chat => "chat",
        }
    }

    pub fn parse(s: &str) -> Option<SignalKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            SignalKind::FormSubmission => "Form submission",
            SignalKind::WebsiteVisit => "Website visit",
            SignalKind::EmailOpen => "Email opened",
            SignalKind::EmailClick => "Email link clicked",
            SignalKind::QuoteViewed => "Quote viewed",
            SignalKind::InboundCall => "Inbound call",
            SignalKind::Chat => "Chat",
        }
    }
}

/// Points a fresh signal of each kind is worth.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignalWeights {
    #[schema(maximum = 100)]
    pub form_submission: u32,
    #[schema(maximum = 100)]
    pub website_visit: u32,
    #[schema(maximum = 100)]
    pub email_open: u32,
    #[schema(maximum = 100)]
    pub email_click: u32,
    #[schema(maximum = 100)]
    pub quote_viewed: u32,
    #[schema(maximum = 100)]
    pub inbound_call: u32,
    #[schema(maximum = 100)]
    pub chat: u32,
}

impl Default for SignalWeights {
    /// A call or a viewed quote says more than an opened email.
    fn default() -> Self {
        SignalWeights {
            form_submission: 25,
            website_visit: 5,
            email_open: 3,
            email_click: 8,
            quote_viewed: 20,
            inbound_call: 30,
            chat: 15,
        }
    }
}

impl SignalWeights {
    pub fn of(&self, kind: SignalKind) -> u32 {
        match kind {
            SignalKind::FormSubmission => self.form_submission,
            SignalKind::WebsiteVisit => self.website_visit,
            SignalKind::EmailOpen => self.email_open,
            SignalKind::EmailClick => self.email_click,
            SignalKind::QuoteViewed => self.quote_viewed,
            SignalKind::InboundCall => self.inbound_call,
            SignalKind::Chat => self.chat,
        }
    }
}

/// An organisation's scoring rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoringRules {
    pub weights: SignalWeights,
    /// A signal is worth half its weight after this many days.
    #[schema(minimum = 1, maximum = 365)]
    pub half_life_days: u32,
}

impl Default for ScoringRules {
    fn default() -> Self {
        ScoringRules {
            weights: SignalWeights::default(),
            half_life_days: 14,
        }
    }
}

impl ScoringRules {
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut errors = Invalid::default();
        for kind in SignalKind::ALL {
            if self.weights.of(kind) > 100 {
                errors.push(format!("weights.{}", kind.as_str()), "must be 0–100");
            }
        }
        if !(1..=365).contains(&self.half_life_days) {
            errors.push("half_life_days", "must be 1–365");
        }
        errors.or_ok(())
    }
}

/// Above this a lead is hot (seed 000: "Leads scoring above 70").
pub const HOT_ABOVE: i64 = 70;

pub fn is_hot(score: i64) -> bool {
    score > HOT_ABOVE
}

/// What one kind of signal contributed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScoreLine {
    pub signal: SignalKind,
    pub count: u32,
    /// After decay, to one decimal.
    pub points: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct LeadScore {
    /// 0–100.
    pub score: i64,
    /// One line per kind of signal seen, in [`SignalKind::ALL`] order.
    pub breakdown: Vec<ScoreLine>,
}

/// Scores a lead's signals as of `now`. A signal dated in the future (a
/// clock ahead) counts as fresh.
pub fn score(
    signals: &[(SignalKind, DateTime<Utc>)],
    rules: &ScoringRules,
    now: DateTime<Utc>,
) -> LeadScore {
    let half_life_secs = f64::from(rules.half_life_days.max(1)) * 86_400.0;
    let mut lines: Vec<(SignalKind, u32, f64)> = Vec::new();
    for &(kind, at) in signals {
        let age_secs = (now - at).num_seconds().max(0) as f64;
        let points = f64::from(rules.weights.of(kind)) * 0.5_f64.powf(age_secs / half_life_secs);
        match lines.iter_mut().find(|(k, _, _)| *k == kind) {
            Some(line) => {
                line.1 += 1;
                line.2 += points;
            }
            None => lines.push((kind, 1, points)),
        }
    }
    lines.sort_by_key(|(k, _, _)| *k);
    let total: f64 = lines.iter().map(|(_, _, p)| p).sum();
    LeadScore {
        score: total.round().clamp(0.0, 100.0) as i64,
        breakdown: lines
            .into_iter()
            .map(|(signal, count, points)| ScoreLine {
                signal,
                count,
                points: (points * 10.0).round() / 10.0,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_documented_ranges_are_the_enforced_ones() {
        let accepts = |mut body: serde_json::Value| {
            serde_json::from_value::<ScoringRules>(body.take()).is_ok_and(|r| r.validate().is_ok())
        };
        let rules = || serde_json::to_value(ScoringRules::default()).unwrap();
        crate::wire::assert_documented_bounds::<ScoringRules>(|field, value| {
            let mut body = rules();
            body[field] = value.into();
            accepts(body)
        });
        crate::wire::assert_documented_bounds::<SignalWeights>(|field, value| {
            let mut body = rules();
            body["weights"][field] = value.into();
            accepts(body)
        });
    }

    #[test]
    fn no_signals_score_nothing() {
        let s = score(&[], &ScoringRules::default(), now());
        assert_eq!(s.score, 0);
        assert!(s.breakdown.is_empty());
    }

    #[test]
    fn a_fresh_signal_is_worth_its_weight() {
        let s = score(
            &[(SignalKind::InboundCall, now())],
            &ScoringRules::default(),
            now(),
        );
        assert_eq!(s.score, 30);
    }

    #[test]
    fn signals_halve_every_half_life() {
        let rules = ScoringRules::default();
        let at = |days| now() - Duration::days(days);
        let one = score(&[(SignalKind::FormSubmission, at(14))], &rules, now());
        assert_eq!(one.breakdown[0].points, 12.5);
        let two = score(&[(SignalKind::FormSubmission, at(28))], &rules, now());
        assert_eq!(two.breakdown[0].points, 6.3);
        assert_eq!(two.score, 6);
        let old = score(&[(SignalKind::FormSubmission, at(365))], &rules, now());
        assert_eq!(old.score, 0, "a year-old form counts for nothing");
        let future = score(&[(SignalKind::FormSubmission, at(-3))], &rules, now());
        assert_eq!(future.score, 25, "a future date counts as fresh");
    }

    #[test]
    fn the_score_is_capped_at_100() {
        let signals = vec![(SignalKind::InboundCall, now()); 10];
        let s = score(&signals, &ScoringRules::default(), now());
        assert_eq!(s.score, 100);
        assert_eq!(s.breakdown[0].points, 300.0, "the breakdown is not capped");
        assert!(is_hot(s.score));
    }

    #[test]
    fn the_breakdown_counts_each_kind_in_a_fixed_order() {
        let rules = ScoringRules::default();
        let signals = [
            (SignalKind::EmailOpen, now()),
            (SignalKind::FormSubmission, now()),
            (SignalKind::EmailOpen, now() - Duration::days(14)),
        ];
        let s = score(&signals, &rules, now());
        assert_eq!(
            s.breakdown,
            vec![
                ScoreLine {
                    signal: SignalKind::FormSubmission,
                    count: 1,
                    points: 25.0
                },
                ScoreLine {
                    signal: SignalKind::EmailOpen,
                    count: 2,
                    points: 4.5
                },
            ]
        );
        assert_eq!(s.score, 30, "25 + 3 + 1.5 rounds to 30");
        assert!(!is_hot(s.score));
    }

    #[test]
    fn weights_are_the_organisations() {
        let mut rules = ScoringRules::default();
        rules.weights.email_open = 80;
        rules.half_life_days = 7;
        let s = score(
            &[(SignalKind::EmailOpen, now() - Duration::days(7))],
            &rules,
            now(),
        );
        assert_eq!(s.score, 40);
    }

    #[test]
    fn exactly_70_is_not_hot() {
        assert!(!is_hot(70));
        assert!(is_hot(71));
    }

    #[test]
    fn rules_are_validated() {
        let mut rules = ScoringRules::default();
        rules.weights.chat = 101;
        rules.half_life_days = 0;
        let err = rules.validate().unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["weights.chat", "half_life_days"]);
    }
}
