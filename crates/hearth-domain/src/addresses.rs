//! Service addresses: the properties where work is done. A customer may have
//! several (home, rental, office); exactly one of the live ones is primary.

use crate::contact::is_known_region;
use crate::customers::clean_text;
use crate::wire::present;
use crate::{AddressId, CustomerId, Invalid};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a person edits, after validation; serialised, it is also what the
/// audit log compares between versions.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct AddressFields {
    /// e.g. "Home", "Rental".
    pub label: Option<String>,
    pub line1: String,
    pub line2: Option<String>,
    pub city: Option<String>,
    /// State, province or county.
    pub region: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    /// Gate codes, where the key is, the dog: changes with the seasons.
    pub access_instructions: Option<String>,
}

/// A stored service address.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ServiceAddress {
    pub id: AddressId,
    pub customer_id: CustomerId,
    #[serde(flatten)]
    pub fields: AddressFields,
    /// Exactly one live address of a customer is primary.
    pub is_primary: bool,
    /// Send it back with an update.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new address as a client sends it.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    pub label: Option<String>,
    /// Required.
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    /// Defaults to the organisation's region.
    pub country: Option<String>,
    pub access_instructions: Option<String>,
    /// `true` makes this the primary address (the others stop being
    /// primary). A customer's first address is always primary.
    pub is_primary: Option<bool>,
}

/// A partial update: absent fields stay, `null` clears (`country: null`
/// resets it to the organisation's region).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressPatch {
    pub version: i64,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub label: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub line1: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub line2: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub city: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub region: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub postal_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub country: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub access_instructions: Option<Option<String>>,
    /// `true` makes this the primary address. A primary address stops being
    /// primary only when another one is made primary or it is deleted.
    pub is_primary: Option<bool>,
}

const LINE_MAX: usize = 200;
const SHORT_MAX: usize = 100;
const POSTAL_MAX: usize = 20;
const INSTRUCTIONS_MAX: usize = 4000;

impl AddressInput {
    /// Validates every field and reports all problems together;
    /// `default_country` is the organisation's region.
    pub fn validate(&self, default_country: &str) -> Result<AddressFields, Invalid> {
        let mut errors = Invalid::default();
        let label = clean_text("label", self.label.as_deref(), SHORT_MAX, &mut errors);
        let line1 = clean_text("line1", self.line1.as_deref(), LINE_MAX, &mut errors);
        if line1.is_none() && !errors.0.iter().any(|e| e.field == "line1") {
            errors.push("line1", "is required");
        }
        let line2 = clean_text("line2", self.line2.as_deref(), LINE_MAX, &mut errors);
        let city = clean_text("city", self.city.as_deref(), SHORT_MAX, &mut errors);
        let region = clean_text("region", self.region.as_deref(), SHORT_MAX, &mut errors);
        let postal_code = clean_text(
            "postal_code",
            self.postal_code.as_deref(),
            POSTAL_MAX,
            &mut errors,
        );
        let country = match self.country.as_deref().map(str::trim) {
            None | Some("") => default_country.to_ascii_uppercase(),
            Some(raw) => raw.to_ascii_uppercase(),
        };
        if country.len() != 2 || !is_known_region(&country) {
            errors.push(
                "country",
                "is not an ISO 3166 country code such as US or GB",
            );
        }
        let access_instructions = clean_text(
            "access_instructions",
            self.access_instructions.as_deref(),
            INSTRUCTIONS_MAX,
            &mut errors,
        );
        errors.or_ok(AddressFields {
            label,
            line1: line1.unwrap_or_default(),
            line2,
            city,
            region,
            postal_code,
            country,
            access_instructions,
        })
    }
}

impl AddressFields {
    /// What duplicate detection matches addresses on (stored with it).
    pub fn duplicate_key(&self) -> Option<String> {
        crate::duplicates::stored_address_key(&self.line1, self.postal_code.as_deref())
    }

    /// The stored fields with a patch laid over them, validated as a whole.
    pub fn patched(
        &self,
        patch: &AddressPatch,
        default_country: &str,
    ) -> Result<AddressFields, Invalid> {
        let pick = |new: &Option<Option<String>>, old: Option<&String>| match new {
            Some(v) => v.clone(),
            None => old.cloned(),
        };
        AddressInput {
            label: pick(&patch.label, self.label.as_ref()),
            line1: pick(&patch.line1, Some(&self.line1)),
            line2: pick(&patch.line2, self.line2.as_ref()),
            city: pick(&patch.city, self.city.as_ref()),
            region: pick(&patch.region, self.region.as_ref()),
            postal_code: pick(&patch.postal_code, self.postal_code.as_ref()),
            country: pick(&patch.country, Some(&self.country)),
            access_instructions: pick(
                &patch.access_instructions,
                self.access_instructions.as_ref(),
            ),
            is_primary: None,
        }
        .validate(default_country)
    }

    /// "12 Oak St, Apt 4, Austin TX 78701" for lists and the timeline.
    pub fn one_line(&self) -> String {
        let place = [
            self.city.as_deref(),
            self.region.as_deref(),
            self.postal_code.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        [
            Some(self.line1.as_str()),
            self.line2.as_deref(),
            Some(&place),
        ]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// Whether a new address is primary: a customer's first live address always
/// is, so "exactly one primary" holds from the start; a later one only when
/// asked for.
pub fn new_address_is_primary(live_addresses: u64, requested: Option<bool>) -> bool {
    live_addresses == 0 || requested == Some(true)
}

/// The primary flag after a patch. Un-marking the primary would leave the
/// customer without one, so it is refused: make another address primary.
pub fn patched_is_primary(current: bool, requested: Option<bool>) -> Result<bool, Invalid> {
    match (current, requested) {
        (true, Some(false)) => Err(Invalid::field(
            "is_primary",
            "the primary address stays primary until another address is made primary",
        )),
        (_, Some(wanted)) => Ok(wanted),
        (current, None) => Ok(current),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oak() -> AddressInput {
        AddressInput {
            label: Some("Home".into()),
            line1: Some(" 12 Oak St ".into()),
            city: Some("Austin".into()),
            region: Some("TX".into()),
            postal_code: Some("78701".into()),
            ..Default::default()
        }
    }

    #[test]
    fn country_defaults_to_the_org_region_and_is_checked() {
        let f = oak().validate("US").unwrap();
        assert_eq!(f.line1, "12 Oak St");
        assert_eq!(f.country, "US");
        assert_eq!(f.one_line(), "12 Oak St, Austin TX 78701");
        let gb = AddressInput {
            country: Some("gb".into()),
            ..oak()
        };
        assert_eq!(gb.validate("US").unwrap().country, "GB");
        let bad = AddressInput {
            country: Some("Narnia".into()),
            line1: None,
            ..oak()
        };
        let err = bad.validate("US").unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["line1", "country"]);
    }

    #[test]
    fn a_patch_can_change_access_instructions_but_not_clear_line1() {
        let f = oak().validate("US").unwrap();
        let p: AddressPatch =
            serde_json::from_str(r#"{"version":1,"access_instructions":"Gate code 4512"}"#)
                .unwrap();
        let g = f.patched(&p, "US").unwrap();
        assert_eq!(g.access_instructions.as_deref(), Some("Gate code 4512"));
        assert_eq!(g.city, f.city);
        let p: AddressPatch = serde_json::from_str(r#"{"version":1,"line1":null}"#).unwrap();
        assert_eq!(f.patched(&p, "US").unwrap_err().0[0].field, "line1");
    }

    #[test]
    fn the_first_address_is_primary_and_later_ones_only_on_request() {
        assert!(new_address_is_primary(0, None));
        assert!(new_address_is_primary(0, Some(false)));
        assert!(!new_address_is_primary(2, None));
        assert!(!new_address_is_primary(2, Some(false)));
        assert!(new_address_is_primary(2, Some(true)));
    }

    #[test]
    fn the_primary_cannot_simply_be_unmarked() {
        assert_eq!(patched_is_primary(false, Some(true)), Ok(true));
        assert_eq!(patched_is_primary(true, None), Ok(true));
        assert_eq!(patched_is_primary(false, Some(false)), Ok(false));
        assert_eq!(
            patched_is_primary(true, Some(false)).unwrap_err().0[0].field,
            "is_primary"
        );
    }
}
