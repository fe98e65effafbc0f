//! The customer record: what may be typed into it and what it must hold.

use crate::contact::{Email, Phone};
use crate::{CustomerId, Invalid};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactMethod {
    #[default]
    Call,
    Sms,
    Email,
}

impl ContactMethod {
    pub const ALL: [ContactMethod; 3] = [
        ContactMethod::Call,
        ContactMethod::Sms,
        ContactMethod::Email,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactMethod::Call => "call",
            ContactMethod::Sms => "sms",
            ContactMethod::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<ContactMethod> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// The fields a person edits, after validation. Serialised, it is also what
/// the audit log compares between versions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CustomerFields {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub business_name: Option<String>,
    /// Lower-cased.
    pub email: Option<String>,
    /// E.164, e.g. `+15125550134`.
    pub phone: Option<String>,
    pub preferred_contact_method: ContactMethod,
    /// When they became a customer; earlier than `created_at` for customers
    /// migrated from another system.
    pub customer_since: NaiveDate,
}

/// A stored customer.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Customer {
    pub id: CustomerId,
    #[serde(flatten)]
    pub fields: CustomerFields,
    pub display_name: String,
    /// Increases with every change; send it back with an update.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A new customer as a client sends it.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub business_name: Option<String>,
    pub email: Option<String>,
    /// Any written form; numbers without a country code are read in the
    /// organisation's region.
    pub phone: Option<String>,
    pub preferred_contact_method: Option<ContactMethod>,
    /// Defaults to today.
    pub customer_since: Option<NaiveDate>,
}

/// A partial update. Absent fields stay as they are; `null` clears a field.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerPatch {
    /// The `version` the client last read; a newer stored version means
    /// someone else changed the record meanwhile (409).
    pub version: i64,
    #[serde(default, deserialize_with = "crate::wire::present")]
    #[schema(value_type = Option<String>)]
    pub first_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    #[schema(value_type = Option<String>)]
    pub last_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    #[schema(value_type = Option<String>)]
    pub business_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    pub preferred_contact_method: Option<ContactMethod>,
    pub customer_since: Option<NaiveDate>,
}

const NAME_MAX: usize = 200;

/// Trims free text and rejects what no database or screen should hold.
pub fn clean_text(
    field: &str,
    raw: Option<&str>,
    max: usize,
    errors: &mut Invalid,
) -> Option<String> {
    let value = raw?.trim();
    if value.is_empty() {
        return None;
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        errors.push(field, "contains control characters");
        return None;
    }
    if value.chars().count() > max {
        errors.push(field, format!("is longer than {max} characters"));
        return None;
    }
    Some(value.to_string())
}

impl CustomerInput {
    /// Validates every field and reports all problems together.
    pub fn validate(&self, region: &str, today: NaiveDate) -> Result<CustomerFields, Invalid> {
        let mut errors = Invalid::default();
        let first_name = clean_text(
            "first_name",
            self.first_name.as_deref(),
            NAME_MAX,
            &mut errors,
        );
        let last_name = clean_text(
            "last_name",
            self.last_name.as_deref(),
            NAME_MAX,
            &mut errors,
        );
        let business_name = clean_text(
            "business_name",
            self.business_name.as_deref(),
            NAME_MAX,
            &mut errors,
        );
        if first_name.is_none()
            && last_name.is_none()
            && business_name.is_none()
            && errors.0.is_empty()
        {
            errors.push(
                "first_name",
                "a customer needs a first name, last name or business name",
            );
        }
        let email = match self
            .email
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(raw) => match Email::parse(raw) {
                Ok(e) => Some(e.into_string()),
                Err(why) => {
                    errors.push("email", why);
                    None
                }
            },
        };
        let phone = match self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(raw) => match Phone::parse(raw, region) {
                Ok(p) => Some(p.into_string()),
                Err(why) => {
                    errors.push("phone", why);
                    None
                }
            },
        };
        let customer_since = self.customer_since.unwrap_or(today);
        if customer_since > today {
            errors.push("customer_since", "cannot be in the future");
        } else if customer_since < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(customer_since) {
            errors.push("customer_since", "must be after 1900");
        }
        errors.or_ok(CustomerFields {
            first_name,
            last_name,
            business_name,
            email,
            phone,
            preferred_contact_method: self.preferred_contact_method.unwrap_or_default(),
            customer_since,
        })
    }
}

impl CustomerFields {
    /// The stored fields with a patch laid over them, validated as a whole:
    /// clearing the only name is as invalid as never giving one.
    pub fn patched(
        &self,
        patch: &CustomerPatch,
        region: &str,
        today: NaiveDate,
    ) -> Result<CustomerFields, Invalid> {
        let pick = |new: &Option<Option<String>>, old: &Option<String>| match new {
            Some(v) => v.clone(),
            None => old.clone(),
        };
        let draft = CustomerInput {
            first_name: pick(&patch.first_name, &self.first_name),
            last_name: pick(&patch.last_name, &self.last_name),
            business_name: pick(&patch.business_name, &self.business_name),
            email: pick(&patch.email, &self.email),
            phone: pick(&patch.phone, &self.phone),
            preferred_contact_method: Some(
                patch
                    .preferred_contact_method
                    .unwrap_or(self.preferred_contact_method),
            ),
            customer_since: Some(patch.customer_since.unwrap_or(self.customer_since)),
        };
        // A stored `customer_since` stays valid even if it was set on a
        // clock that ran ahead; only a newly sent value is checked.
        let today = if patch.customer_since.is_none() {
            today.max(self.customer_since)
        } else {
            today
        };
        draft.validate(region, today)
    }

    /// "Ann Smith", or the business name when there is no person's name.
    pub fn display_name(&self) -> String {
        display_name(
            self.first_name.as_deref(),
            self.last_name.as_deref(),
            self.business_name.as_deref(),
        )
    }

    /// What duplicate detection matches names on (stored with the customer).
    pub fn name_key(&self) -> Option<String> {
        crate::duplicates::name_key(
            self.first_name.as_deref(),
            self.last_name.as_deref(),
            self.business_name.as_deref(),
        )
    }

    /// Key for alphabetical lists: surname first, like a phone book.
    pub fn sort_name(&self) -> String {
        [
            self.last_name.as_deref(),
            self.first_name.as_deref(),
            self.business_name.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
    }
}

/// "First Last", or the business name for a business without a person.
pub fn display_name(first: Option<&str>, last: Option<&str>, business: Option<&str>) -> String {
    let person = [first, last]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    match (business, person.is_empty()) {
        (Some(b), true) => b.to_string(),
        _ => person,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn input() -> CustomerInput {
        CustomerInput {
            first_name: Some(" Ann ".into()),
            last_name: Some("Smith".into()),
            phone: Some("(512) 555-0134".into()),
            ..Default::default()
        }
    }

    #[test]
    fn valid_input_is_normalised() {
        let f = input().validate("US", today()).unwrap();
        assert_eq!(f.first_name.as_deref(), Some("Ann"));
        assert_eq!(f.phone.as_deref(), Some("+15125550134"));
        assert_eq!(f.customer_since, today());
        assert_eq!(f.display_name(), "Ann Smith");
        assert_eq!(f.sort_name(), "smith ann");
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = CustomerInput {
            email: Some("nope".into()),
            phone: Some("12".into()),
            customer_since: Some(NaiveDate::from_ymd_opt(2030, 1, 1).unwrap()),
            ..Default::default()
        };
        let err = bad.validate("US", today()).unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["first_name", "email", "phone", "customer_since"]);
    }

    #[test]
    fn clearing_the_only_name_is_rejected() {
        let f = CustomerInput {
            business_name: Some("Acme".into()),
            ..Default::default()
        }
        .validate("US", today())
        .unwrap();
        let patch: CustomerPatch =
            serde_json::from_str(r#"{"version":1,"business_name":null}"#).unwrap();
        assert!(f.patched(&patch, "US", today()).is_err());
    }

    #[test]
    fn absent_and_null_differ_in_a_patch() {
        let f = input().validate("US", today()).unwrap();
        let keep: CustomerPatch = serde_json::from_str(r#"{"version":1}"#).unwrap();
        assert_eq!(f.patched(&keep, "US", today()).unwrap(), f);
        let clear: CustomerPatch = serde_json::from_str(r#"{"version":1,"phone":null}"#).unwrap();
        assert_eq!(f.patched(&clear, "US", today()).unwrap().phone, None);
    }

    #[test]
    fn control_characters_are_rejected() {
        let bad = CustomerInput {
            first_name: Some("A\u{0}nn".into()),
            ..Default::default()
        };
        let err = bad.validate("US", today()).unwrap_err();
        assert_eq!(err.0[0].field, "first_name");
    }
}
