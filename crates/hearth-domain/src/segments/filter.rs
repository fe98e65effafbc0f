//! A segment's filter: conditions over what Hearth knows of a customer,
//! sent as JSON and checked here before anything is stored or run. The
//! store compiles a checked [`Filter`] to parameterised SQL; nothing a
//! client typed ever becomes SQL text.

use crate::Invalid;
use crate::customers::ContactMethod;
use crate::leads::LeadSource;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Conditions a segment may hold.
pub const MAX_CONDITIONS: usize = 20;
/// Values an `in` list may hold.
pub const MAX_VALUES: usize = 50;
/// Characters a text value may hold.
pub const MAX_TEXT: usize = 200;
/// Upper bound of numbers (money in minor units, counts, days, years).
pub const MAX_NUMBER: i64 = 1_000_000_000_000;

/// Whether a customer must meet every condition or at least one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    #[default]
    All,
    Any,
}

/// A filter as a client sends it, e.g.
/// `{"match": "all", "conditions": [{"field": "city", "op": "eq", "value": "Austin"}]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilterInput {
    #[serde(rename = "match", default)]
    pub matching: Match,
    #[schema(min_items = 1, max_items = 20)]
    pub conditions: Vec<ConditionInput>,
}

/// One condition as sent: `field`, `op` and, for most operators, `value`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionInput {
    /// One of the fields listed by [`Field::ALL`], e.g. `city`, `bookings`.
    pub field: String,
    /// `eq`, `neq`, `in`, `contains`, `starts_with`, `gt`, `gte`, `lt`,
    /// `lte`, `has`, `has_not`, `present` or `absent`, as the field allows.
    pub op: String,
    /// A string, a whole number, a `YYYY-MM-DD` date or (for `in`) a list
    /// of strings; left out for `present` and `absent`.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    #[schema(value_type = Object)]
    pub value: serde_json::Value,
}

macro_rules! words {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

words!(
    /// What a condition looks at.
    Field {
        FirstName => "first_name",
        LastName => "last_name",
        BusinessName => "business_name",
        Email => "email",
        Phone => "phone",
        PreferredContactMethod => "preferred_contact_method",
        CustomerSince => "customer_since",
        AccountAgeDays => "account_age_days",
        Tag => "tag",
        City => "city",
        PostalCode => "postal_code",
        EquipmentKind => "equipment_kind",
        EquipmentAgeYears => "equipment_age_years",
        EquipmentWarranty => "equipment_warranty",
        WarrantyExpiresInDays => "warranty_expires_in_days",
        LifetimeValueMinor => "lifetime_value_minor",
        Bookings => "bookings",
        DaysSinceLastBooking => "days_since_last_booking",
        Membership => "membership",
        LeadSource => "lead_source",
    }
);

words!(
    /// How a condition compares.
    Op {
        Eq => "eq",
        Neq => "neq",
        In => "in",
        Contains => "contains",
        StartsWith => "starts_with",
        Gt => "gt",
        Gte => "gte",
        Lt => "lt",
        Lte => "lte",
        Has => "has",
        HasNot => "has_not",
        Present => "present",
        Absent => "absent",
    }
);

/// A customer's membership as segments see it: the best of their
/// memberships (active over paused over cancelled), `none` without any.
pub const MEMBERSHIP_STATES: &[&str] = &["active", "paused", "cancelled", "none"];
/// A piece of equipment's warranty, read against today.
pub const WARRANTY_STATES: &[&str] = &["active", "expired"];

const TEXT_OPS: &[Op] = &[
    Op::Eq,
    Op::Neq,
    Op::Contains,
    Op::StartsWith,
    Op::Present,
    Op::Absent,
];
const PLACE_OPS: &[Op] = &[Op::Eq, Op::In, Op::StartsWith];
const CHOICE_OPS: &[Op] = &[Op::Eq, Op::Neq, Op::In];
/// Choices about a customer's records (any equipment, any lead): "has one
/// that is …", so no `neq`, whose meaning would be ambiguous.
const RECORD_CHOICE_OPS: &[Op] = &[Op::Eq, Op::In];
const NUMBER_OPS: &[Op] = &[Op::Eq, Op::Gt, Op::Gte, Op::Lt, Op::Lte];
const LAST_BOOKING_OPS: &[Op] = &[Op::Eq, Op::Gt, Op::Gte, Op::Lt, Op::Lte, Op::Absent];
const TAG_OPS: &[Op] = &[Op::Has, Op::HasNot];

impl Field {
    /// The operators that make sense for this field.
    pub fn ops(self) -> &'static [Op] {
        use Field::*;
        match self {
            FirstName | LastName | BusinessName | Email | Phone => TEXT_OPS,
            City | PostalCode | EquipmentKind => PLACE_OPS,
            PreferredContactMethod | Membership => CHOICE_OPS,
            EquipmentWarranty | LeadSource => RECORD_CHOICE_OPS,
            CustomerSince
            | AccountAgeDays
            | EquipmentAgeYears
            | WarrantyExpiresInDays
            | LifetimeValueMinor
            | Bookings => NUMBER_OPS,
            DaysSinceLastBooking => LAST_BOOKING_OPS,
            Tag => TAG_OPS,
        }
    }

    /// The only values a choice field takes; `None` for other fields.
    pub fn choices(self) -> Option<Vec<&'static str>> {
        match self {
            Field::PreferredContactMethod => {
                Some(ContactMethod::ALL.iter().map(|m| m.as_str()).collect())
            }
            Field::Membership => Some(MEMBERSHIP_STATES.to_vec()),
            Field::EquipmentWarranty => Some(WARRANTY_STATES.to_vec()),
            Field::LeadSource => Some(LeadSource::ALL.iter().map(|s| s.as_str()).collect()),
            _ => None,
        }
    }

    fn is_date(self) -> bool {
        self == Field::CustomerSince
    }

    /// Whether the value is a whole number (otherwise text or a date).
    pub fn takes_number(self) -> bool {
        (self.ops() == NUMBER_OPS || self.ops() == LAST_BOOKING_OPS) && !self.is_date()
    }
}

/// A checked value: its shape matches the field and operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operand {
    Nothing,
    /// Trimmed; lower-cased for choice fields.
    Text(String),
    Texts(Vec<String>),
    Number(i64),
    Date(NaiveDate),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub field: Field,
    pub op: Op,
    pub value: Operand,
}

/// A filter that passed [`FilterInput::validate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    pub matching: Match,
    pub conditions: Vec<Condition>,
}

fn list(words: &[&str]) -> String {
    words.join(", ")
}

impl FilterInput {
    /// The filter in words, e.g. "city = Austin and bookings ≥ 3".
    pub fn describe(&self) -> String {
        let joiner = match self.matching {
            Match::All => " and ",
            Match::Any => " or ",
        };
        self.conditions
            .iter()
            .map(|c| {
                let op = match Op::parse(&c.op) {
                    Some(Op::Eq) => "=",
                    Some(Op::Neq) => "≠",
                    Some(Op::Gt) => ">",
                    Some(Op::Gte) => "≥",
                    Some(Op::Lt) => "<",
                    Some(Op::Lte) => "≤",
                    Some(Op::StartsWith) => "starts with",
                    Some(Op::HasNot) => "has not",
                    Some(Op::Present) => "is set",
                    Some(Op::Absent) => "is not set",
                    _ => c.op.as_str(),
                };
                let value = match &c.value {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(s) => format!(" {s}"),
                    serde_json::Value::Array(items) => format!(
                        " {}",
                        items
                            .iter()
                            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    other => format!(" {other}"),
                };
                format!("{} {op}{value}", c.field.replace('_', " "))
            })
            .collect::<Vec<_>>()
            .join(joiner)
    }

    /// Checks every condition, naming each bad one as
    /// `{prefix}.conditions[i].field|op|value`.
    pub fn validate(&self, prefix: &str) -> Result<Filter, Invalid> {
        let mut errors = Invalid::default();
        if self.conditions.is_empty() {
            errors.push(format!("{prefix}.conditions"), "add at least one condition");
        }
        if self.conditions.len() > MAX_CONDITIONS {
            errors.push(
                format!("{prefix}.conditions"),
                format!("has more than {MAX_CONDITIONS} conditions"),
            );
        }
        let mut conditions = Vec::with_capacity(self.conditions.len());
        for (i, c) in self.conditions.iter().enumerate() {
            let at = format!("{prefix}.conditions[{i}]");
            if let Some(c) = c.validate(&at, &mut errors) {
                conditions.push(c);
            }
        }
        errors.or_ok(Filter {
            matching: self.matching,
            conditions,
        })
    }
}

impl ConditionInput {
    fn validate(&self, at: &str, errors: &mut Invalid) -> Option<Condition> {
        let Some(field) = Field::parse(&self.field) else {
            let known: Vec<&str> = Field::ALL.iter().map(|f| f.as_str()).collect();
            errors.push(
                format!("{at}.field"),
                format!(
                    "“{}” is not a field; use one of {}",
                    self.field,
                    list(&known)
                ),
            );
            return None;
        };
        let allowed: Vec<&str> = field.ops().iter().map(|o| o.as_str()).collect();
        let op = match Op::parse(&self.op) {
            Some(op) if field.ops().contains(&op) => op,
            _ => {
                errors.push(
                    format!("{at}.op"),
                    format!(
                        "“{}” does not apply to {}; use one of {}",
                        self.op,
                        field.as_str(),
                        list(&allowed)
                    ),
                );
                return None;
            }
        };
        match operand(field, op, &self.value) {
            Ok(value) => Some(Condition { field, op, value }),
            Err(why) => {
                errors.push(format!("{at}.value"), why);
                None
            }
        }
    }
}

fn text(v: &serde_json::Value) -> Result<String, String> {
    let s = v
        .as_str()
        .ok_or_else(|| "must be a string".to_string())?
        .trim();
    if s.is_empty() {
        return Err("must not be empty".into());
    }
    if s.chars().count() > MAX_TEXT {
        return Err(format!("is longer than {MAX_TEXT} characters"));
    }
    if s.chars().any(char::is_control) {
        return Err("contains control characters".into());
    }
    Ok(s.to_string())
}

fn choice(field: Field, s: String) -> Result<String, String> {
    match field.choices() {
        Some(choices) => {
            let s = s.to_lowercase();
            if choices.contains(&s.as_str()) {
                Ok(s)
            } else {
                Err(format!(
                    "“{s}” is not a {}; use one of {}",
                    field.as_str(),
                    list(&choices)
                ))
            }
        }
        None => Ok(s),
    }
}

fn operand(field: Field, op: Op, v: &serde_json::Value) -> Result<Operand, String> {
    match op {
        Op::Present | Op::Absent | Op::Has | Op::HasNot if field != Field::Tag => {
            if v.is_null() {
                Ok(Operand::Nothing)
            } else {
                Err(format!("must be left out for {}", op.as_str()))
            }
        }
        Op::In => {
            let items = v
                .as_array()
                .ok_or_else(|| "must be a list of strings for in".to_string())?;
            if items.is_empty() || items.len() > MAX_VALUES {
                return Err(format!("must hold 1 to {MAX_VALUES} values"));
            }
            let values = items
                .iter()
                .map(|i| text(i).and_then(|s| choice(field, s)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Operand::Texts(values))
        }
        _ if field.is_date() => {
            let s = text(v).map_err(|_| "must be a date written YYYY-MM-DD".to_string())?;
            NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                .map(Operand::Date)
                .map_err(|_| format!("“{s}” is not a date written YYYY-MM-DD"))
        }
        _ if field.takes_number() => {
            let n = v
                .as_i64()
                .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                .ok_or_else(|| "must be a whole number".to_string())?;
            if !(0..=MAX_NUMBER).contains(&n) {
                return Err(format!("must be between 0 and {MAX_NUMBER}"));
            }
            Ok(Operand::Number(n))
        }
        _ => text(v).and_then(|s| choice(field, s)).map(Operand::Text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_number_of_conditions_is_the_enforced_one() {
        let schema =
            serde_json::to_value(<FilterInput as utoipa::PartialSchema>::schema()).unwrap();
        let conditions = &schema["properties"]["conditions"];
        assert_eq!(conditions["minItems"], 1);
        assert_eq!(conditions["maxItems"], MAX_CONDITIONS);
    }
    use serde_json::json;

    fn input(v: serde_json::Value) -> FilterInput {
        serde_json::from_value(v).expect("filter json")
    }

    fn fields(e: Invalid) -> Vec<String> {
        e.0.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn a_good_filter_is_typed() {
        let f = input(json!({"match": "any", "conditions": [
            {"field": "city", "op": "in", "value": ["Austin", " Round Rock "]},
            {"field": "bookings", "op": "gte", "value": 3.0},
            {"field": "membership", "op": "eq", "value": "Paused"},
            {"field": "customer_since", "op": "lt", "value": "2020-01-31"},
            {"field": "email", "op": "absent"},
            {"field": "tag", "op": "has", "value": "Supplier"},
        ]}))
        .validate("filter")
        .expect("valid");
        assert_eq!(f.matching, Match::Any);
        assert_eq!(
            f.conditions[0].value,
            Operand::Texts(vec!["Austin".into(), "Round Rock".into()])
        );
        assert_eq!(f.conditions[1].value, Operand::Number(3));
        assert_eq!(f.conditions[2].value, Operand::Text("paused".into()));
        assert_eq!(
            f.conditions[3].value,
            Operand::Date(NaiveDate::from_ymd_opt(2020, 1, 31).unwrap())
        );
        assert_eq!(f.conditions[4].value, Operand::Nothing);
        assert_eq!(f.conditions[5].value, Operand::Text("Supplier".into()));
    }

    #[test]
    fn every_bad_part_is_named() {
        let e = input(json!({"conditions": [
            {"field": "shoe_size", "op": "eq", "value": 9},
            {"field": "bookings", "op": "contains", "value": "3"},
            {"field": "bookings", "op": "gt", "value": "three"},
            {"field": "membership", "op": "eq", "value": "gold"},
            {"field": "customer_since", "op": "gt", "value": "31/01/2020"},
            {"field": "email", "op": "present", "value": "x"},
            {"field": "city", "op": "in", "value": []},
            {"field": "bookings", "op": "gte", "value": -1},
        ]}))
        .validate("filter")
        .unwrap_err();
        assert_eq!(
            fields(e.clone()),
            vec![
                "filter.conditions[0].field",
                "filter.conditions[1].op",
                "filter.conditions[2].value",
                "filter.conditions[3].value",
                "filter.conditions[4].value",
                "filter.conditions[5].value",
                "filter.conditions[6].value",
                "filter.conditions[7].value",
            ]
        );
        assert!(e.0[0].message.contains("shoe_size"));
        assert!(e.0[1].message.contains("gte"), "{}", e.0[1].message);
        assert!(e.0[3].message.contains("paused"), "{}", e.0[3].message);
    }

    #[test]
    fn a_filter_reads_as_words() {
        let f = input(json!({"match": "any", "conditions": [
            {"field": "city", "op": "in", "value": ["Austin", "Waco"]},
            {"field": "bookings", "op": "gte", "value": 3},
            {"field": "email", "op": "absent"},
        ]}));
        assert_eq!(
            f.describe(),
            "city in Austin, Waco or bookings ≥ 3 or email is not set"
        );
    }

    #[test]
    fn an_empty_or_huge_filter_is_refused() {
        let e = input(json!({"conditions": []}))
            .validate("filter")
            .unwrap_err();
        assert_eq!(fields(e), vec!["filter.conditions"]);
        let many: Vec<_> = (0..=MAX_CONDITIONS)
            .map(|_| json!({"field": "bookings", "op": "gt", "value": 1}))
            .collect();
        let e = input(json!({ "conditions": many }))
            .validate("filter")
            .unwrap_err();
        assert_eq!(fields(e), vec!["filter.conditions"]);
    }

    #[test]
    fn tag_needs_a_name_and_lead_source_a_known_one() {
        let e = input(json!({"conditions": [
            {"field": "tag", "op": "has"},
            {"field": "lead_source", "op": "eq", "value": "carrier pigeon"},
        ]}))
        .validate("f")
        .unwrap_err();
        assert_eq!(
            fields(e),
            vec!["f.conditions[0].value", "f.conditions[1].value"]
        );
        assert!(
            input(json!({"conditions": [{"field": "lead_source", "op": "in", "value": ["web_form", "Referral"]}]}))
                .validate("f")
                .is_ok()
        );
    }
}
