//! Installed equipment at a service address (seed 000, "equipment
//! tracking"): what it is, when it went in, how long it should last and when
//! its warranty ends.

use crate::customers::clean_text;
use crate::wire::present;
use crate::{AddressId, CustomerId, EquipmentId, Invalid};
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a person edits, after validation; serialised, it is also what the
/// audit log compares between versions.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct EquipmentFields {
    /// e.g. "Furnace", "Water heater", "AC condenser".
    pub kind: String,
    pub make: Option<String>,
    pub model: Option<String>,
    pub serial_number: Option<String>,
    pub install_date: Option<NaiveDate>,
    /// 0–100.
    pub expected_lifespan_years: Option<i64>,
    pub warranty_expires_on: Option<NaiveDate>,
    pub notes: Option<String>,
}

/// A stored piece of equipment.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Equipment {
    pub id: EquipmentId,
    pub customer_id: CustomerId,
    pub address_id: AddressId,
    #[serde(flatten)]
    pub fields: EquipmentFields,
    /// Filled from completed jobs; never set through this record.
    pub last_service_date: Option<NaiveDate>,
    /// Whole years since installation.
    pub age_years: Option<i64>,
    /// Installation year plus expected lifespan.
    pub end_of_life_year: Option<i32>,
    /// Send it back with an update.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// New equipment as a client sends it; the address is the one in the path.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EquipmentInput {
    /// Required.
    pub kind: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub serial_number: Option<String>,
    pub install_date: Option<NaiveDate>,
    pub expected_lifespan_years: Option<i64>,
    /// Not before `install_date`.
    pub warranty_expires_on: Option<NaiveDate>,
    pub notes: Option<String>,
}

/// A partial update: absent fields stay, `null` clears.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EquipmentPatch {
    pub version: i64,
    /// Moves the equipment to another address of the same customer.
    pub address_id: Option<AddressId>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub kind: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub make: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub model: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub serial_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub install_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub expected_lifespan_years: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub warranty_expires_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

const TEXT_MAX: usize = 100;
const NOTES_MAX: usize = 4000;
pub const LIFESPAN_MAX_YEARS: i64 = 100;

fn earliest() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN)
}

fn latest() -> NaiveDate {
    NaiveDate::from_ymd_opt(2200, 1, 1).unwrap_or(NaiveDate::MAX)
}

impl EquipmentInput {
    /// Validates every field and reports all problems together.
    pub fn validate(&self, today: NaiveDate) -> Result<EquipmentFields, Invalid> {
        let mut errors = Invalid::default();
        let kind = clean_text("kind", self.kind.as_deref(), TEXT_MAX, &mut errors);
        if kind.is_none() && !errors.0.iter().any(|e| e.field == "kind") {
            errors.push("kind", "is required, e.g. furnace or water heater");
        }
        let make = clean_text("make", self.make.as_deref(), TEXT_MAX, &mut errors);
        let model = clean_text("model", self.model.as_deref(), TEXT_MAX, &mut errors);
        let serial_number = clean_text(
            "serial_number",
            self.serial_number.as_deref(),
            TEXT_MAX,
            &mut errors,
        );
        if let Some(d) = self.install_date {
            // "Today" is UTC; a business east of Greenwich may already be a
            // day ahead, so tomorrow is still accepted.
            let tomorrow = today.checked_add_days(Days::new(1)).unwrap_or(today);
            if d > tomorrow {
                errors.push("install_date", "cannot be in the future");
            } else if d < earliest() {
                errors.push("install_date", "must be after 1900");
            }
        }
        if let Some(years) = self.expected_lifespan_years
            && !(0..=LIFESPAN_MAX_YEARS).contains(&years)
        {
            errors.push(
                "expected_lifespan_years",
                format!("must be between 0 and {LIFESPAN_MAX_YEARS}"),
            );
        }
        if let Some(w) = self.warranty_expires_on {
            if self.install_date.is_some_and(|i| w < i) {
                errors.push("warranty_expires_on", "cannot be before the install date");
            } else if !(earliest()..latest()).contains(&w) {
                errors.push("warranty_expires_on", "must be between 1900 and 2200");
            }
        }
        let notes = clean_text("notes", self.notes.as_deref(), NOTES_MAX, &mut errors);
        errors.or_ok(EquipmentFields {
            kind: kind.unwrap_or_default(),
            make,
            model,
            serial_number,
            install_date: self.install_date,
            expected_lifespan_years: self.expected_lifespan_years,
            warranty_expires_on: self.warranty_expires_on,
            notes,
        })
    }
}

impl EquipmentFields {
    /// The stored fields with a patch laid over them, validated as a whole.
    pub fn patched(
        &self,
        patch: &EquipmentPatch,
        today: NaiveDate,
    ) -> Result<EquipmentFields, Invalid> {
        fn pick<T: Clone>(new: &Option<Option<T>>, old: Option<T>) -> Option<T> {
            match new {
                Some(v) => v.clone(),
                None => old,
            }
        }
        // A stored install date stays valid even if "today" has moved
        // backwards since (clock skew); only a newly sent one is checked.
        let today = match (patch.install_date, self.install_date) {
            (None, Some(stored)) => today.max(stored),
            _ => today,
        };
        EquipmentInput {
            kind: pick(&patch.kind, Some(self.kind.clone())),
            make: pick(&patch.make, self.make.clone()),
            model: pick(&patch.model, self.model.clone()),
            serial_number: pick(&patch.serial_number, self.serial_number.clone()),
            install_date: pick(&patch.install_date, self.install_date),
            expected_lifespan_years: pick(
                &patch.expected_lifespan_years,
                self.expected_lifespan_years,
            ),
            warranty_expires_on: pick(&patch.warranty_expires_on, self.warranty_expires_on),
            notes: pick(&patch.notes, self.notes.clone()),
        }
        .validate(today)
    }

    /// "Furnace Carrier 59SC" for lists and the timeline.
    pub fn title(&self) -> String {
        [
            Some(self.kind.as_str()),
            self.make.as_deref(),
            self.model.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
    }
}

/// How old a unit is and when it is due for replacement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifecycle {
    /// Whole years since installation (0 for a unit installed later today).
    pub age_years: Option<i64>,
    /// Installation year plus expected lifespan.
    pub end_of_life_year: Option<i32>,
}

pub fn lifecycle(
    install_date: Option<NaiveDate>,
    expected_lifespan_years: Option<i64>,
    today: NaiveDate,
) -> Lifecycle {
    let age_years = install_date.map(|d| today.years_since(d).map_or(0, i64::from));
    let end_of_life_year = match (install_date, expected_lifespan_years) {
        (Some(d), Some(years)) => i32::try_from(years).ok().map(|y| d.year() + y),
        _ => None,
    };
    Lifecycle {
        age_years,
        end_of_life_year,
    }
}

/// Where a warranty stands today, for highlighting on the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WarrantyStatus {
    Active,
    /// Ends within the warning window (today included).
    ExpiringSoon,
    Expired,
}

/// Days before the end of a warranty from which the card highlights it.
pub const WARRANTY_WARNING_DAYS: i64 = 30;

pub fn warranty_status(
    expires_on: NaiveDate,
    today: NaiveDate,
    warning_days: i64,
) -> WarrantyStatus {
    let left = (expires_on - today).num_days();
    if left < 0 {
        WarrantyStatus::Expired
    } else if left <= warning_days {
        WarrantyStatus::ExpiringSoon
    } else {
        WarrantyStatus::Active
    }
}

pub const WARRANTY_WINDOW_DEFAULT_DAYS: i64 = 30;
pub const WARRANTY_WINDOW_MAX_DAYS: i64 = 3650;

/// The dates (both included) a "warranties expiring within N days" list
/// covers: from today to today + N.
pub fn warranty_window(
    within_days: Option<i64>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), Invalid> {
    let days = within_days.unwrap_or(WARRANTY_WINDOW_DEFAULT_DAYS);
    if !(0..=WARRANTY_WINDOW_MAX_DAYS).contains(&days) {
        return Err(Invalid::field(
            "within_days",
            format!("must be between 0 and {WARRANTY_WINDOW_MAX_DAYS}"),
        ));
    }
    let until = today
        .checked_add_days(Days::new(days as u64))
        .unwrap_or(NaiveDate::MAX);
    Ok((today, until))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn today() -> NaiveDate {
        d(2026, 5, 10)
    }

    fn furnace() -> EquipmentInput {
        EquipmentInput {
            kind: Some("Furnace".into()),
            make: Some("Carrier".into()),
            install_date: Some(d(2015, 9, 1)),
            expected_lifespan_years: Some(18),
            warranty_expires_on: Some(d(2025, 9, 1)),
            ..Default::default()
        }
    }

    fn fields_of(err: Invalid) -> Vec<String> {
        err.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn valid_equipment_passes() {
        let f = furnace().validate(today()).unwrap();
        assert_eq!(f.title(), "Furnace Carrier");
    }

    #[test]
    fn a_warranty_cannot_end_before_the_install() {
        let bad = EquipmentInput {
            warranty_expires_on: Some(d(2014, 1, 1)),
            ..furnace()
        };
        assert_eq!(
            fields_of(bad.validate(today()).unwrap_err()),
            ["warranty_expires_on"]
        );
        let same_day = EquipmentInput {
            warranty_expires_on: Some(d(2015, 9, 1)),
            ..furnace()
        };
        assert!(same_day.validate(today()).is_ok());
    }

    #[test]
    fn lifespan_kind_and_install_date_are_checked() {
        let bad = EquipmentInput {
            kind: Some("  ".into()),
            install_date: Some(d(2030, 1, 1)),
            expected_lifespan_years: Some(101),
            warranty_expires_on: None,
            ..furnace()
        };
        assert_eq!(
            fields_of(bad.validate(today()).unwrap_err()),
            ["kind", "install_date", "expected_lifespan_years"]
        );
        let negative = EquipmentInput {
            expected_lifespan_years: Some(-1),
            ..furnace()
        };
        assert!(negative.validate(today()).is_err());
        let zero = EquipmentInput {
            expected_lifespan_years: Some(0),
            ..furnace()
        };
        assert!(zero.validate(today()).is_ok());
    }

    #[test]
    fn a_patch_revalidates_the_dates_together() {
        let f = furnace().validate(today()).unwrap();
        let p: EquipmentPatch =
            serde_json::from_str(r#"{"version":1,"install_date":"2026-01-01"}"#).unwrap();
        assert_eq!(
            fields_of(f.patched(&p, today()).unwrap_err()),
            ["warranty_expires_on"]
        );
        let p: EquipmentPatch =
            serde_json::from_str(r#"{"version":1,"warranty_expires_on":null}"#).unwrap();
        assert_eq!(f.patched(&p, today()).unwrap().warranty_expires_on, None);
    }

    #[test]
    fn age_and_end_of_life_follow_the_install_date() {
        let l = lifecycle(Some(d(2015, 9, 1)), Some(18), today());
        assert_eq!(l.age_years, Some(10), "not 11: September has not come yet");
        assert_eq!(l.end_of_life_year, Some(2033));
        let l = lifecycle(Some(d(2015, 5, 10)), None, today());
        assert_eq!(l.age_years, Some(11), "the anniversary counts");
        assert_eq!(l.end_of_life_year, None);
        assert_eq!(
            lifecycle(Some(d(2026, 5, 11)), Some(1), today()).age_years,
            Some(0)
        );
        assert_eq!(
            lifecycle(None, Some(15), today()),
            Lifecycle {
                age_years: None,
                end_of_life_year: None
            }
        );
    }

    #[test]
    fn warranty_status_marks_the_warning_window() {
        let t = today();
        assert_eq!(
            warranty_status(d(2026, 5, 9), t, 30),
            WarrantyStatus::Expired
        );
        assert_eq!(warranty_status(t, t, 30), WarrantyStatus::ExpiringSoon);
        assert_eq!(
            warranty_status(d(2026, 6, 9), t, 30),
            WarrantyStatus::ExpiringSoon
        );
        assert_eq!(
            warranty_status(d(2026, 6, 10), t, 30),
            WarrantyStatus::Active
        );
    }

    #[test]
    fn the_warranty_window_is_bounded() {
        assert_eq!(warranty_window(None, today()), Ok((today(), d(2026, 6, 9))));
        assert_eq!(warranty_window(Some(0), today()), Ok((today(), today())));
        assert!(warranty_window(Some(3650), today()).is_ok());
        for bad in [-1, 3651] {
            assert_eq!(
                fields_of(warranty_window(Some(bad), today()).unwrap_err()),
                ["within_days"]
            );
        }
    }
}
