//! Pipeline reporting (seed 002: "deal value and win/loss … for pipeline
//! reporting"): what is in each stage, what was won and lost, and how long
//! leads sit where.

use super::{LeadSource, StageKind};
use crate::{PipelineId, StageId};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Money summed per ISO 4217 currency: deals in different currencies are
/// never added together.
pub type Totals = BTreeMap<String, i64>;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PipelineReport {
    pub pipeline_id: PipelineId,
    /// Inclusive; absent means since the beginning.
    pub from: Option<NaiveDate>,
    /// Inclusive; absent means up to now.
    pub to: Option<NaiveDate>,
    /// Leads created in the period, by the stage they are on now.
    pub stages: Vec<StageReport>,
    /// Leads won / lost in the period.
    pub won: i64,
    pub lost: i64,
    /// won / (won + lost); absent when nothing closed.
    pub win_rate: Option<f64>,
    /// Reasons of leads lost in the period, most common first.
    pub lost_reasons: Vec<ReasonCount>,
    /// Leads created in the period by source, and how many of them are won.
    pub by_source: Vec<SourceReport>,
    /// Value of leads won in the period, by calendar month (UTC).
    pub won_by_month: Vec<MonthReport>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StageReport {
    pub stage_id: StageId,
    pub name: String,
    pub kind: StageKind,
    pub count: i64,
    #[schema(value_type = BTreeMap<String, i64>)]
    pub value: Totals,
    /// Average days a lead spent on this stage before leaving it, over the
    /// stays that ended in the period; absent when none did.
    pub average_days: Option<f64>,
    /// How many stays that average is over.
    pub stays: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct ReasonCount {
    pub reason: String,
    pub count: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct SourceReport {
    pub source: LeadSource,
    pub leads: i64,
    pub won: i64,
    /// won / leads.
    pub conversion_rate: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct MonthReport {
    /// `YYYY-MM`.
    pub month: String,
    pub count: i64,
    #[schema(value_type = BTreeMap<String, i64>)]
    pub value: Totals,
}

/// "$1,250.00 + €80.00".
pub fn format_money_totals(totals: &Totals) -> String {
    totals
        .iter()
        .map(|(currency, value)| super::money::format_money(*value, currency))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// A share to three decimals; `None` when there is nothing to divide.
pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * 1000.0).round() / 1000.0)
}

/// Average of `total_seconds` over `n` stays, in days to one decimal.
pub fn average_days(total_seconds: f64, n: i64) -> Option<f64> {
    (n > 0).then(|| (total_seconds / n as f64 / 86_400.0 * 10.0).round() / 10.0)
}

/// Lost reasons grouped case-insensitively under their most common spelling,
/// most frequent first.
pub fn group_reasons(rows: &[(String, i64)]) -> Vec<ReasonCount> {
    let mut groups: Vec<(String, Vec<(String, i64)>)> = Vec::new();
    for (reason, count) in rows {
        let key = reason.trim().to_lowercase();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, spellings)) => spellings.push((reason.trim().to_string(), *count)),
            None => groups.push((key, vec![(reason.trim().to_string(), *count)])),
        }
    }
    let mut out: Vec<ReasonCount> = groups
        .into_iter()
        .map(|(_, mut spellings)| {
            spellings.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            ReasonCount {
                reason: spellings[0].0.clone(),
                count: spellings.iter().map(|(_, c)| c).sum(),
            }
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.reason.cmp(&b.reason)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_averages() {
        assert_eq!(rate(1, 3), Some(0.333));
        assert_eq!(rate(0, 0), None);
        assert_eq!(average_days(3.0 * 86_400.0, 2), Some(1.5));
        assert_eq!(average_days(0.0, 0), None);
    }

    #[test]
    fn reasons_group_across_spellings() {
        let rows = vec![
            ("Price".to_string(), 2),
            ("price ".to_string(), 1),
            ("Went with competitor".to_string(), 2),
        ];
        assert_eq!(
            group_reasons(&rows),
            vec![
                ReasonCount {
                    reason: "Price".into(),
                    count: 3
                },
                ReasonCount {
                    reason: "Went with competitor".into(),
                    count: 2
                },
            ]
        );
    }
}
