//! The other people at a customer: a spouse, a tenant, an office manager,
//! a co-owner of the business (seed 004, "customer contacts").

use crate::contact::{Email, Phone};
use crate::customers::clean_text;
use crate::wire::present;
use crate::{ContactId, CustomerId, Invalid};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use utoipa::ToSchema;

/// A share of ownership, 0–100 % with at most two decimals, held as basis
/// points (12.5 % = 1250) so it compares and stores exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct OwnershipPct(u16);

impl OwnershipPct {
    pub const MAX_BASIS_POINTS: i64 = 10_000;

    pub fn from_percent(pct: f64) -> Result<OwnershipPct, &'static str> {
        if !pct.is_finite() {
            return Err("is not a number");
        }
        if !(0.0..=100.0).contains(&pct) {
            return Err("must be between 0 and 100");
        }
        let scaled = pct * 100.0;
        let bp = scaled.round();
        // 33.33 × 100 is 3332.9999999999995 in binary floating point: allow
        // that noise, refuse a real third decimal.
        if (scaled - bp).abs() > 1e-6 {
            return Err("has more than 2 decimal places");
        }
        Ok(OwnershipPct(bp as u16))
    }

    pub fn from_basis_points(bp: i64) -> Option<OwnershipPct> {
        (0..=Self::MAX_BASIS_POINTS)
            .contains(&bp)
            .then_some(OwnershipPct(bp as u16))
    }

    pub fn basis_points(self) -> i64 {
        self.0.into()
    }

    pub fn percent(self) -> f64 {
        f64::from(self.0) / 100.0
    }
}

/// `50`, `12.5`, `33.33`: whole percentages are written without a fraction.
impl fmt::Display for OwnershipPct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.percent())
    }
}

impl Serialize for OwnershipPct {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_multiple_of(100) {
            s.serialize_u64(u64::from(self.0 / 100))
        } else {
            s.serialize_f64(self.percent())
        }
    }
}

/// What a person edits, after validation; serialised, it is also what the
/// audit log compares between versions.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct ContactFields {
    pub name: String,
    /// E.164.
    pub phone: Option<String>,
    /// Lower-cased.
    pub email: Option<String>,
    /// Their role at the customer, e.g. "Office manager".
    pub position: Option<String>,
    /// Percent, 0–100 with up to two decimals.
    #[schema(value_type = Option<f64>)]
    pub ownership_pct: Option<OwnershipPct>,
    /// e.g. "Owner", "Tenant", "Billing".
    pub customer_type: Option<String>,
    pub additional_info: Option<String>,
}

/// A stored additional contact of a customer.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CustomerContact {
    pub id: ContactId,
    pub customer_id: CustomerId,
    #[serde(flatten)]
    pub fields: ContactFields,
    /// Send it back with an update.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new contact as a client sends it.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// Required.
    pub name: Option<String>,
    /// Any written form; read in the organisation's region without a country code.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub position: Option<String>,
    /// 0–100, at most two decimals.
    pub ownership_pct: Option<f64>,
    pub customer_type: Option<String>,
    pub additional_info: Option<String>,
}

/// A partial update: absent fields stay, `null` clears.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    pub version: i64,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub position: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<f64>)]
    pub ownership_pct: Option<Option<f64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub customer_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub additional_info: Option<Option<String>>,
}

const NAME_MAX: usize = 200;
const LABEL_MAX: usize = 100;
const INFO_MAX: usize = 2000;

/// An optional phone number in E.164, or the reason it is not one.
pub(crate) fn optional_phone(
    field: &str,
    raw: Option<&str>,
    region: &str,
    errors: &mut Invalid,
) -> Option<String> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    match Phone::parse(raw, region) {
        Ok(p) => Some(p.into_string()),
        Err(why) => {
            errors.push(field, why);
            None
        }
    }
}

pub(crate) fn optional_email(
    field: &str,
    raw: Option<&str>,
    errors: &mut Invalid,
) -> Option<String> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    match Email::parse(raw) {
        Ok(e) => Some(e.into_string()),
        Err(why) => {
            errors.push(field, why);
            None
        }
    }
}

impl ContactInput {
    /// Validates every field and reports all problems together.
    pub fn validate(&self, region: &str) -> Result<ContactFields, Invalid> {
        let mut errors = Invalid::default();
        let name = clean_text("name", self.name.as_deref(), NAME_MAX, &mut errors);
        if name.is_none() && !errors.0.iter().any(|e| e.field == "name") {
            errors.push("name", "is required");
        }
        let phone = optional_phone("phone", self.phone.as_deref(), region, &mut errors);
        let email = optional_email("email", self.email.as_deref(), &mut errors);
        let position = clean_text("position", self.position.as_deref(), LABEL_MAX, &mut errors);
        let ownership_pct = match self.ownership_pct {
            None => None,
            Some(pct) => match OwnershipPct::from_percent(pct) {
                Ok(p) => Some(p),
                Err(why) => {
                    errors.push("ownership_pct", why);
                    None
                }
            },
        };
        let customer_type = clean_text(
            "customer_type",
            self.customer_type.as_deref(),
            LABEL_MAX,
            &mut errors,
        );
        let additional_info = clean_text(
            "additional_info",
            self.additional_info.as_deref(),
            INFO_MAX,
            &mut errors,
        );
        errors.or_ok(ContactFields {
            name: name.unwrap_or_default(),
            phone,
            email,
            position,
            ownership_pct,
            customer_type,
            additional_info,
        })
    }
}

impl ContactFields {
    /// The stored fields with a patch laid over them, validated as a whole.
    pub fn patched(&self, patch: &ContactPatch, region: &str) -> Result<ContactFields, Invalid> {
        fn pick<T: Clone>(new: &Option<Option<T>>, old: Option<T>) -> Option<T> {
            match new {
                Some(v) => v.clone(),
                None => old,
            }
        }
        ContactInput {
            name: pick(&patch.name, Some(self.name.clone())),
            phone: pick(&patch.phone, self.phone.clone()),
            email: pick(&patch.email, self.email.clone()),
            position: pick(&patch.position, self.position.clone()),
            ownership_pct: pick(
                &patch.ownership_pct,
                self.ownership_pct.map(OwnershipPct::percent),
            ),
            customer_type: pick(&patch.customer_type, self.customer_type.clone()),
            additional_info: pick(&patch.additional_info, self.additional_info.clone()),
        }
        .validate(region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields_of(err: Invalid) -> Vec<String> {
        err.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn ownership_takes_up_to_two_decimals_between_0_and_100() {
        assert_eq!(OwnershipPct::from_percent(0.0).unwrap().basis_points(), 0);
        assert_eq!(
            OwnershipPct::from_percent(100.0).unwrap().basis_points(),
            10_000
        );
        assert_eq!(
            OwnershipPct::from_percent(12.5).unwrap().basis_points(),
            1250
        );
        assert_eq!(
            OwnershipPct::from_percent(33.33).unwrap().basis_points(),
            3333
        );
        assert!(OwnershipPct::from_percent(140.0).is_err());
        assert!(OwnershipPct::from_percent(-1.0).is_err());
        assert!(OwnershipPct::from_percent(12.345).is_err());
        assert!(OwnershipPct::from_percent(f64::NAN).is_err());
        assert_eq!(OwnershipPct::from_basis_points(10_001), None);
    }

    #[test]
    fn ownership_is_written_as_a_plain_number() {
        let json = |p: f64| serde_json::to_string(&OwnershipPct::from_percent(p).unwrap()).unwrap();
        assert_eq!(json(50.0), "50");
        assert_eq!(json(12.5), "12.5");
        assert_eq!(json(33.33), "33.33");
        assert_eq!(
            OwnershipPct::from_percent(12.5).unwrap().to_string(),
            "12.5"
        );
    }

    #[test]
    fn a_contact_is_normalised_and_needs_a_name() {
        let f = ContactInput {
            name: Some(" Jane Roe ".into()),
            phone: Some("(512) 555-0199".into()),
            email: Some("Jane@Example.com".into()),
            ownership_pct: Some(25.0),
            ..Default::default()
        }
        .validate("US")
        .unwrap();
        assert_eq!(f.name, "Jane Roe");
        assert_eq!(f.phone.as_deref(), Some("+15125550199"));
        assert_eq!(f.email.as_deref(), Some("jane@example.com"));
        assert_eq!(f.ownership_pct.map(OwnershipPct::basis_points), Some(2500));

        let err = ContactInput {
            phone: Some("nope".into()),
            ownership_pct: Some(140.0),
            ..Default::default()
        }
        .validate("US")
        .unwrap_err();
        assert_eq!(fields_of(err), ["name", "phone", "ownership_pct"]);
    }

    #[test]
    fn a_patch_keeps_absent_fields_and_cannot_clear_the_name() {
        let f = ContactInput {
            name: Some("Jane".into()),
            ownership_pct: Some(10.0),
            ..Default::default()
        }
        .validate("US")
        .unwrap();
        let keep: ContactPatch = serde_json::from_str(r#"{"version":1}"#).unwrap();
        assert_eq!(f.patched(&keep, "US").unwrap(), f);
        let clear: ContactPatch =
            serde_json::from_str(r#"{"version":1,"ownership_pct":null}"#).unwrap();
        assert_eq!(f.patched(&clear, "US").unwrap().ownership_pct, None);
        let no_name: ContactPatch = serde_json::from_str(r#"{"version":1,"name":null}"#).unwrap();
        assert_eq!(fields_of(f.patched(&no_name, "US").unwrap_err()), ["name"]);
    }
}
