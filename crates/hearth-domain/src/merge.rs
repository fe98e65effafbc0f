//! Merging two customers: which value of each field the kept record ends
//! up with.

use crate::Invalid;
use crate::customers::CustomerFields;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Which record a field's value comes from: `this` is the record merged
/// into (kept), `other` the one merged away.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    This,
    Other,
}

/// The fields a merge may take from either record.
pub const FIELDS: [&str; 7] = [
    "first_name",
    "last_name",
    "business_name",
    "email",
    "phone",
    "preferred_contact_method",
    "customer_since",
];

/// The kept record's fields after the merge. A field not named in `keep`
/// keeps this record's value, or takes the other's when this one has none
/// (nothing known is dropped by default). `customer_since` defaults to the
/// earlier date: the customer has been one since then.
pub fn merged_fields(
    this: &CustomerFields,
    other: &CustomerFields,
    keep: &BTreeMap<String, Side>,
) -> Result<CustomerFields, Invalid> {
    let mut errors = Invalid::default();
    for field in keep.keys() {
        if !FIELDS.contains(&field.as_str()) {
            errors.push(
                format!("keep.{field}"),
                format!(
                    "is not a field a merge chooses; use one of {}",
                    FIELDS.join(", ")
                ),
            );
        }
    }
    let side = |f: &str| keep.get(f).copied();
    let text = |f: &str, a: &Option<String>, b: &Option<String>| match side(f) {
        Some(Side::This) => a.clone(),
        Some(Side::Other) => b.clone(),
        None => a.clone().or_else(|| b.clone()),
    };
    let fields = CustomerFields {
        first_name: text("first_name", &this.first_name, &other.first_name),
        last_name: text("last_name", &this.last_name, &other.last_name),
        business_name: text("business_name", &this.business_name, &other.business_name),
        email: text("email", &this.email, &other.email),
        phone: text("phone", &this.phone, &other.phone),
        preferred_contact_method: match side("preferred_contact_method") {
            Some(Side::Other) => other.preferred_contact_method,
            _ => this.preferred_contact_method,
        },
        customer_since: match side("customer_since") {
            Some(Side::This) => this.customer_since,
            Some(Side::Other) => other.customer_since,
            None => this.customer_since.min(other.customer_since),
        },
    };
    if fields.first_name.is_none() && fields.last_name.is_none() && fields.business_name.is_none() {
        errors.push(
            "keep.first_name",
            "the merged customer would have no first name, last name or business name",
        );
    }
    errors.or_ok(fields)
}

/// The kept record's fields after undoing a merge: each field the merge
/// set and nobody changed since goes back to its value before the merge; a
/// field edited after the merge keeps that edit (undo never discards later
/// work).
pub fn undone_fields(
    before: &CustomerFields,
    after: &CustomerFields,
    current: &CustomerFields,
) -> CustomerFields {
    let (b, a, c) = (to_map(before), to_map(after), to_map(current));
    let restored: serde_json::Map<String, serde_json::Value> = c
        .iter()
        .map(|(k, now)| {
            let value = if a.get(k) == Some(now) {
                b.get(k).cloned().unwrap_or_else(|| now.clone())
            } else {
                now.clone()
            };
            (k.clone(), value)
        })
        .collect();
    serde_json::from_value(serde_json::Value::Object(restored)).unwrap_or_else(|_| current.clone())
}

fn to_map(f: &CustomerFields) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(f) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customers::ContactMethod;
    use chrono::NaiveDate;

    fn fields(first: Option<&str>, email: Option<&str>, since: (i32, u32)) -> CustomerFields {
        CustomerFields {
            first_name: first.map(str::to_string),
            last_name: Some("Hopper".into()),
            business_name: None,
            email: email.map(str::to_string),
            phone: None,
            preferred_contact_method: ContactMethod::Call,
            customer_since: NaiveDate::from_ymd_opt(since.0, since.1, 1).unwrap(),
        }
    }

    #[test]
    fn defaults_keep_this_and_fill_gaps_from_other() {
        let this = fields(Some("Grace"), None, (2024, 5));
        let other = fields(Some("G."), Some("g@x.example"), (2019, 1));
        let m = merged_fields(&this, &other, &BTreeMap::new()).unwrap();
        assert_eq!(m.first_name.as_deref(), Some("Grace"));
        assert_eq!(m.email.as_deref(), Some("g@x.example"));
        assert_eq!(m.customer_since, other.customer_since);
    }

    #[test]
    fn explicit_choices_win_even_when_empty() {
        let this = fields(Some("Grace"), None, (2024, 5));
        let other = fields(Some("G."), Some("g@x.example"), (2019, 1));
        let keep = BTreeMap::from([
            ("first_name".to_string(), Side::Other),
            ("email".to_string(), Side::This),
            ("customer_since".to_string(), Side::This),
        ]);
        let m = merged_fields(&this, &other, &keep).unwrap();
        assert_eq!(m.first_name.as_deref(), Some("G."));
        assert_eq!(m.email, None);
        assert_eq!(m.customer_since, this.customer_since);
    }

    #[test]
    fn undo_restores_untouched_fields_and_keeps_later_edits() {
        let before = fields(Some("Grace"), None, (2024, 5));
        let other = fields(Some("G."), Some("g@x.example"), (2019, 1));
        let keep = BTreeMap::from([("first_name".to_string(), Side::Other)]);
        let after = merged_fields(&before, &other, &keep).unwrap();
        let mut current = after.clone();
        current.email = Some("new@x.example".into());
        let undone = undone_fields(&before, &after, &current);
        assert_eq!(undone.first_name.as_deref(), Some("Grace"));
        assert_eq!(undone.customer_since, before.customer_since);
        assert_eq!(undone.email.as_deref(), Some("new@x.example"));
        assert_eq!(undone_fields(&before, &after, &after), before);
    }

    #[test]
    fn unknown_fields_and_nameless_results_are_refused() {
        let this = fields(Some("Grace"), None, (2024, 5));
        let keep = BTreeMap::from([("shoe_size".to_string(), Side::Other)]);
        let e = merged_fields(&this, &this, &keep).unwrap_err();
        assert_eq!(e.0[0].field, "keep.shoe_size");

        let mut nameless = fields(None, None, (2024, 5));
        nameless.last_name = None;
        let keep = BTreeMap::from([
            ("first_name".to_string(), Side::Other),
            ("last_name".to_string(), Side::Other),
        ]);
        let e = merged_fields(&this, &nameless, &keep).unwrap_err();
        assert_eq!(e.0[0].field, "keep.first_name");
    }
}
