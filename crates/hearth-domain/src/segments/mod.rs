//! Segments: groups of customers for targeted communication (seed 001).
//! Five are built in (VIP, At Risk, New, Recurring, One-Time) and defined
//! as filters over the organisation's thresholds; the rest are filters an
//! organisation saves. Membership is never stored: it is the filter, read
//! against the customer's current facts and the current time, so it is
//! right the moment data changes or a day passes.

pub mod builtin;
pub mod filter;
pub mod settings;

use crate::{CustomerId, Invalid, SegmentId};
use chrono::{DateTime, Utc};
use filter::{Filter, FilterInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const NAME_MAX: usize = 80;

/// Where counting stops unless an exact count is asked for: a count reads
/// an index range as long as the segment (~0.1 s per million customers), so
/// lists, chips and the builder's live count stay fast at any size and say
/// "10,000+" instead.
pub const COUNT_CAP: i64 = 10_000;

/// How many customers a segment holds now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct SegmentCount {
    /// Exact, or 10,000 when `capped`.
    pub count: i64,
    /// True when the segment holds more than `count` customers (ask with
    /// `exact=true` for the exact number).
    pub capped: bool,
}

impl SegmentCount {
    /// A count of at most `COUNT_CAP + 1` rows, as shown.
    pub fn of_capped(counted: i64) -> Self {
        SegmentCount {
            count: counted.min(COUNT_CAP),
            capped: counted > COUNT_CAP,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SegmentKind {
    BuiltIn,
    Saved,
}

/// A segment with how many customers are in it now.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct SegmentSummary {
    /// `vip`, `at_risk`, `new`, `recurring`, `one_time`, or a saved segment's id.
    pub key: String,
    pub name: String,
    pub kind: SegmentKind,
    /// Who is in it, in words.
    pub description: String,
    /// Exact, or 10,000 when `count_capped`.
    pub count: i64,
    /// True when the segment holds more than `count` customers.
    pub count_capped: bool,
    /// A saved segment's filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<FilterInput>,
    /// A saved segment's version (send it back to change or delete it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// A customer in a segment, with the facts segments read.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct SegmentMember {
    pub id: CustomerId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Jobs not cancelled, past and upcoming.
    pub bookings: i64,
    /// The latest booking's scheduled start.
    pub last_booking_at: Option<DateTime<Utc>>,
    /// Payments received, in minor units of the organisation's default currency.
    pub lifetime_value_minor: i64,
    /// `active`, `paused`, `cancelled` or `none`.
    pub membership: String,
}

/// A segment a customer is in (a chip on the customer card).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct CustomerSegment {
    pub key: String,
    pub name: String,
    pub kind: SegmentKind,
}

/// A filter an organisation saved under a name.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct SavedSegment {
    pub id: SegmentId,
    pub name: String,
    pub filter: FilterInput,
    /// Increases with every change; send it back with an update or delete.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new saved segment.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentInput {
    /// 1–80 characters.
    #[schema(pattern = "\\S")]
    pub name: String,
    pub filter: FilterInput,
}

/// A change to a saved segment; absent fields stay.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentPatch {
    /// The `version` the client last read (stale → 409).
    pub version: i64,
    #[schema(pattern = "\\S")]
    pub name: Option<String>,
    pub filter: Option<FilterInput>,
}

/// A saved segment's checked fields; serialised, what the audit log compares.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SegmentFields {
    pub name: String,
    pub filter: FilterInput,
}

fn clean_name(raw: &str, errors: &mut Invalid) -> String {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        errors.push("name", "is empty; give the segment a name");
    } else if name.chars().count() > NAME_MAX {
        errors.push("name", format!("is longer than {NAME_MAX} characters"));
    } else if name.chars().any(char::is_control) {
        errors.push("name", "contains control characters");
    }
    name
}

fn check(name: &str, filter: &FilterInput) -> Result<(SegmentFields, Filter), Invalid> {
    let mut errors = Invalid::default();
    let name = clean_name(name, &mut errors);
    let checked = filter.validate("filter");
    if let Err(e) = &checked {
        errors.0.extend(e.0.iter().cloned());
    }
    let fields = SegmentFields {
        name,
        filter: filter.clone(),
    };
    match checked {
        Ok(f) => errors.or_ok((fields, f)),
        Err(_) => Err(errors),
    }
}

impl SegmentInput {
    pub fn validate(&self) -> Result<(SegmentFields, Filter), Invalid> {
        check(&self.name, &self.filter)
    }
}

impl SegmentFields {
    pub fn patched(&self, p: &SegmentPatch) -> Result<(SegmentFields, Filter), Invalid> {
        check(
            p.name.as_deref().unwrap_or(&self.name),
            p.filter.as_ref().unwrap_or(&self.filter),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_count_past_the_cap_says_so_and_shows_the_cap() {
        let exact = |count, capped| SegmentCount { count, capped };
        assert_eq!(SegmentCount::of_capped(0), exact(0, false));
        assert_eq!(SegmentCount::of_capped(COUNT_CAP), exact(COUNT_CAP, false));
        assert_eq!(
            SegmentCount::of_capped(COUNT_CAP + 1),
            exact(COUNT_CAP, true)
        );
    }

    #[test]
    fn name_and_filter_errors_come_together() {
        let input: SegmentInput = serde_json::from_value(json!({
            "name": "  ",
            "filter": {"conditions": [{"field": "bookings", "op": "like", "value": 1}]}
        }))
        .unwrap();
        let e = input.validate().unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "filter.conditions[0].op"]);
    }

    #[test]
    fn a_patch_keeps_what_it_does_not_send() {
        let input: SegmentInput = serde_json::from_value(json!({
            "name": "Austin  furnaces",
            "filter": {"conditions": [{"field": "city", "op": "eq", "value": "Austin"}]}
        }))
        .unwrap();
        let (fields, _) = input.validate().unwrap();
        assert_eq!(fields.name, "Austin furnaces");
        let patch: SegmentPatch =
            serde_json::from_value(json!({"version": 1, "name": "Austin"})).unwrap();
        let (next, filter) = fields.patched(&patch).unwrap();
        assert_eq!(next.name, "Austin");
        assert_eq!(next.filter, fields.filter);
        assert_eq!(filter.conditions.len(), 1);
    }
}
