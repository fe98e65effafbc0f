//! Merging two customers on the pages (seed 001 "Merge Duplicates"): pick
//! the other record, choose per field which value to keep, preview what
//! the merge does, confirm; then the merge record, with undo.

mod record;
mod review;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};
use hearth_domain::customers::CustomerFields;
use hearth_domain::merge::Side;
use serde_json::Value;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/customers/{id}/merge",
            get(review::review).post(review::confirm),
        )
        .route("/merges/{id}", get(record::show))
        .route("/merges/{id}/undo", post(record::undo))
}

/// The fields a merge chooses, with their labels, in form order.
const FIELD_LABELS: [(&str, &str); 7] = [
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("business_name", "Business name"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("preferred_contact_method", "Preferred contact method"),
    ("customer_since", "Customer since"),
];

/// The rows a merge moves, in the seed's words and order; tables a merge
/// learns to move later are shown under their own name after these.
const MOVED_LABELS: [(&str, &str); 21] = [
    ("jobs", "Bookings"),
    ("communications", "Communications"),
    ("invoices", "Invoices"),
    ("notes", "Notes"),
    ("customer_tags", "Tags"),
    ("customer_contacts", "Contacts"),
    ("addresses", "Service addresses"),
    ("equipment", "Equipment"),
    ("engagements", "Engagements"),
    ("events", "Timeline entries"),
    ("quotes", "Quotes"),
    ("payments", "Payments"),
    ("memberships", "Memberships"),
    ("loyalty_ledger", "Loyalty entries"),
    ("tickets", "Support tickets"),
    ("tasks", "Tasks"),
    ("leads", "Leads"),
    ("reminders", "Reminders"),
    ("job_notes", "Job notes"),
    ("job_photos", "Job photos"),
    ("call_statuses", "Call status"),
];

/// A merge's moved-row counts as (label, count) lines.
fn moved_lines(moves: &BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let mut lines: Vec<(String, u64)> = MOVED_LABELS
        .iter()
        .map(|(table, label)| (label.to_string(), moves.get(*table).copied().unwrap_or(0)))
        .collect();
    lines.extend(
        moves
            .iter()
            .filter(|(table, _)| !MOVED_LABELS.iter().any(|(t, _)| t == table))
            .map(|(table, n)| (table.replace('_', " "), *n)),
    );
    lines
}

/// A record's field values as text for the pages ("—" for none).
fn field_texts(f: &CustomerFields) -> BTreeMap<String, String> {
    let Ok(Value::Object(map)) = serde_json::to_value(f) else {
        return BTreeMap::new();
    };
    map.into_iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s,
                Value::Null => "—".to_string(),
                other => other.to_string(),
            };
            (k, text)
        })
        .collect()
}

/// How a side is named on the pages.
fn side_name(side: Side) -> &'static str {
    match side {
        Side::This => "this",
        Side::Other => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_a_merge_chooses_has_a_label() {
        let labelled: Vec<&str> = FIELD_LABELS.iter().map(|(f, _)| *f).collect();
        for field in hearth_domain::merge::FIELDS {
            assert!(labelled.contains(&field), "{field} has no label");
        }
    }

    #[test]
    fn unknown_tables_are_listed_after_the_known_ones() {
        let moves = BTreeMap::from([("jobs".to_string(), 2), ("gizmos".to_string(), 1)]);
        let lines = moved_lines(&moves);
        assert_eq!(lines[0], ("Bookings".to_string(), 2));
        assert_eq!(lines.last(), Some(&("gizmos".to_string(), 1)));
    }
}
