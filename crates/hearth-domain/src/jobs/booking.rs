//! Booking a job and changing it: what a client sends and how it is
//! checked before the store checks the references.

use super::{Industry, JobFields, LineItem, LineItemInput, is_currency_code, validate_line_items};
use crate::customers::clean_text;
use crate::wire::present;
use crate::{AddressId, CustomerId, EquipmentId, Invalid, UserId};
use chrono::{DateTime, Datelike, Duration, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

/// A new job as a client sends it. The required fields are `Option`s so
/// that one answer names every missing one.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobInput {
    /// A live customer of the organisation.
    #[schema(required = true, nullable = false)]
    pub customer_id: Option<CustomerId>,
    /// One of that customer's service addresses.
    #[schema(required = true, nullable = false)]
    pub address_id: Option<AddressId>,
    /// E.g. "AC tune-up".
    #[schema(required = true, nullable = false)]
    pub service_type: Option<String>,
    /// hvac, plumbing, electrical, cleaning, appliance_repair or other
    /// (default other).
    pub industry: Option<String>,
    pub description: Option<String>,
    #[schema(required = true, nullable = false)]
    pub scheduled_start: Option<DateTime<Utc>>,
    /// After the start and at most 31 days later.
    #[schema(required = true, nullable = false)]
    pub scheduled_end: Option<DateTime<Utc>>,
    #[serde(default)]
    pub technician_ids: Vec<UserId>,
    #[serde(default)]
    pub equipment_ids: Vec<EquipmentId>,
    /// ISO 4217; defaults to the currency of the organisation's region.
    pub currency: Option<String>,
    #[serde(default)]
    pub line_items: Vec<LineItemInput>,
}

/// A partial update: absent fields stay; `line_items`, `technician_ids` and
/// `equipment_ids` replace the whole list. The customer and the status do
/// not change here (status has its own route).
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobPatch {
    pub version: i64,
    pub address_id: Option<AddressId>,
    pub service_type: Option<String>,
    pub industry: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub scheduled_start: Option<DateTime<Utc>>,
    pub scheduled_end: Option<DateTime<Utc>>,
    pub technician_ids: Option<Vec<UserId>>,
    pub equipment_ids: Option<Vec<EquipmentId>>,
    pub currency: Option<String>,
    pub line_items: Option<Vec<LineItemInput>>,
}

const SERVICE_TYPE_MAX: usize = 100;
const DESCRIPTION_MAX: usize = 4000;
pub const TECHNICIANS_MAX: usize = 10;
pub const EQUIPMENT_MAX: usize = 50;
/// A multi-day installation is still one job; a month is the limit.
pub const LONGEST_JOB_DAYS: i64 = 31;

/// The ids without repeats, in id order: a list that was only reordered
/// is the same list, to the audit log as to the database.
fn unique<T: Ord + Copy>(ids: &[T]) -> Vec<T> {
    let mut out = ids.to_vec();
    out.sort_unstable();
    out.dedup();
    out
}

impl JobInput {
    /// Checks everything that needs no database and reports all problems
    /// together; whether the customer, address, technicians and equipment
    /// exist and belong together is the store's to check.
    pub fn validate(&self, default_currency: &str) -> Result<JobFields, Invalid> {
        let mut errors = Invalid::default();
        if self.customer_id.is_none() {
            errors.push("customer_id", "is required");
        }
        if self.address_id.is_none() {
            errors.push("address_id", "is required");
        }
        let service_type = clean_text(
            "service_type",
            self.service_type.as_deref(),
            SERVICE_TYPE_MAX,
            &mut errors,
        );
        if service_type.is_none() && !errors.0.iter().any(|e| e.field == "service_type") {
            errors.push("service_type", "is required, e.g. AC tune-up");
        }
        let industry = match self.industry.as_deref().map(str::trim) {
            None | Some("") => Industry::Other,
            Some(raw) => Industry::parse(raw).unwrap_or_else(|| {
                errors.push(
                    "industry",
                    "must be hvac, plumbing, electrical, cleaning, appliance_repair or other",
                );
                Industry::Other
            }),
        };
        let description = clean_text(
            "description",
            self.description.as_deref(),
            DESCRIPTION_MAX,
            &mut errors,
        );
        check_schedule(self.scheduled_start, self.scheduled_end, &mut errors);
        let technician_ids = unique(&self.technician_ids);
        if technician_ids.len() > TECHNICIANS_MAX {
            errors.push(
                "technician_ids",
                format!("lists more than {TECHNICIANS_MAX} technicians"),
            );
        }
        let equipment_ids = unique(&self.equipment_ids);
        if equipment_ids.len() > EQUIPMENT_MAX {
            errors.push(
                "equipment_ids",
                format!("lists more than {EQUIPMENT_MAX} units"),
            );
        }
        let currency = match self.currency.as_deref().map(str::trim) {
            None | Some("") => default_currency.to_string(),
            Some(raw) => raw.to_ascii_uppercase(),
        };
        if !is_currency_code(&currency) {
            errors.push("currency", "is not an ISO 4217 code such as USD");
        }
        let line_items = validate_line_items(&self.line_items, &currency, &mut errors);
        match (
            self.address_id,
            service_type,
            self.scheduled_start,
            self.scheduled_end,
        ) {
            (Some(address_id), Some(service_type), Some(start), Some(end))
                if errors.0.is_empty() =>
            {
                Ok(JobFields {
                    address_id,
                    service_type,
                    industry,
                    description,
                    scheduled_start: start,
                    scheduled_end: end,
                    technician_ids,
                    equipment_ids,
                    currency,
                    line_items,
                })
            }
            _ => Err(errors),
        }
    }
}

fn check_schedule(start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>, errors: &mut Invalid) {
    let plausible = |t: DateTime<Utc>| (2000..2200).contains(&t.year());
    match start {
        None => errors.push("scheduled_start", "is required"),
        Some(s) if !plausible(s) => errors.push("scheduled_start", "must be between 2000 and 2199"),
        Some(_) => {}
    }
    match (start, end) {
        (_, None) => errors.push("scheduled_end", "is required"),
        (Some(s), Some(e)) if e <= s => {
            errors.push("scheduled_end", "must be after scheduled_start")
        }
        (Some(s), Some(e)) if e - s > Duration::days(LONGEST_JOB_DAYS) => errors.push(
            "scheduled_end",
            format!("must be at most {LONGEST_JOB_DAYS} days after scheduled_start"),
        ),
        (None, Some(e)) if !plausible(e) => {
            errors.push("scheduled_end", "must be between 2000 and 2199")
        }
        _ => {}
    }
}

impl JobFields {
    /// The stored fields with a patch laid over them, validated as a whole.
    pub fn patched(&self, customer: CustomerId, patch: &JobPatch) -> Result<JobFields, Invalid> {
        JobInput {
            customer_id: Some(customer),
            address_id: Some(patch.address_id.unwrap_or(self.address_id)),
            service_type: Some(
                patch
                    .service_type
                    .clone()
                    .unwrap_or_else(|| self.service_type.clone()),
            ),
            industry: Some(
                patch
                    .industry
                    .clone()
                    .unwrap_or_else(|| self.industry.as_str().to_string()),
            ),
            description: match &patch.description {
                Some(v) => v.clone(),
                None => self.description.clone(),
            },
            scheduled_start: Some(patch.scheduled_start.unwrap_or(self.scheduled_start)),
            scheduled_end: Some(patch.scheduled_end.unwrap_or(self.scheduled_end)),
            technician_ids: patch
                .technician_ids
                .clone()
                .unwrap_or_else(|| self.technician_ids.clone()),
            equipment_ids: patch
                .equipment_ids
                .clone()
                .unwrap_or_else(|| self.equipment_ids.clone()),
            currency: Some(
                patch
                    .currency
                    .clone()
                    .unwrap_or_else(|| self.currency.clone()),
            ),
            line_items: match &patch.line_items {
                Some(items) => items.clone(),
                None => self.line_items.iter().map(LineItem::as_input).collect(),
            },
        }
        .validate(&self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// The fields the document marks required (and not nullable).
    fn documented_required<T: utoipa::PartialSchema>() -> Vec<String> {
        let schema = serde_json::to_value(T::schema()).unwrap();
        let mut required: Vec<String> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_string())
            .collect();
        for field in &required {
            let text = schema["properties"][field].to_string();
            assert!(!text.contains("null"), "{field}: {text}");
        }
        required.sort_unstable();
        required
    }

    fn missing(job: JobInput) -> Vec<String> {
        let mut fields: Vec<String> = job
            .validate("USD")
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        fields.sort_unstable();
        fields
    }

    /// What `validate` reports missing is what the document marks required
    /// and not nullable, for a new job and for one booked from agreed work
    /// (which brings the customer, an address and the service type).
    #[test]
    fn the_document_marks_the_fields_a_job_needs() {
        assert_eq!(
            documented_required::<JobInput>(),
            missing(JobInput::default())
        );
        let agreed = AgreedWork {
            customer: CustomerId::new(),
            primary_address: Some(AddressId::new()),
            service_type: "AC tune-up".into(),
            description: None,
            currency: "USD".into(),
            line_items: vec![],
        };
        assert_eq!(
            documented_required::<ScheduleInput>(),
            missing(ScheduleInput::default().job(agreed))
        );
    }

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 10, h, 0, 0).unwrap()
    }

    fn tune_up() -> JobInput {
        JobInput {
            customer_id: Some(CustomerId::new()),
            address_id: Some(AddressId::new()),
            service_type: Some(" AC tune-up ".into()),
            industry: Some("hvac".into()),
            scheduled_start: Some(at(9)),
            scheduled_end: Some(at(11)),
            ..Default::default()
        }
    }

    fn fields_of(err: Invalid) -> Vec<String> {
        err.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_plain_job_passes_with_defaults() {
        let f = tune_up().validate("USD").unwrap();
        assert_eq!(f.service_type, "AC tune-up");
        assert_eq!(f.industry, Industry::Hvac);
        assert_eq!(f.currency, "USD");
        assert_eq!(f.totals().total_minor, 0);
    }

    #[test]
    fn every_missing_or_bad_field_is_named() {
        let bad = JobInput {
            industry: Some("roofing".into()),
            currency: Some("dollars".into()),
            ..Default::default()
        };
        assert_eq!(
            fields_of(bad.validate("USD").unwrap_err()),
            [
                "customer_id",
                "address_id",
                "service_type",
                "industry",
                "scheduled_start",
                "scheduled_end",
                "currency"
            ]
        );
    }

    #[test]
    fn the_end_comes_after_the_start_within_a_month() {
        let backwards = JobInput {
            scheduled_end: Some(at(9)),
            ..tune_up()
        };
        assert_eq!(
            fields_of(backwards.validate("USD").unwrap_err()),
            ["scheduled_end"]
        );
        let long = JobInput {
            scheduled_end: Some(at(9) + Duration::days(40)),
            ..tune_up()
        };
        assert_eq!(
            fields_of(long.validate("USD").unwrap_err()),
            ["scheduled_end"]
        );
    }

    #[test]
    fn repeated_ids_count_once() {
        let tech = UserId::new();
        let input = JobInput {
            technician_ids: vec![tech, tech],
            ..tune_up()
        };
        assert_eq!(input.validate("USD").unwrap().technician_ids, vec![tech]);
        let crowd = JobInput {
            technician_ids: (0..11).map(|_| UserId::new()).collect(),
            ..tune_up()
        };
        assert_eq!(
            fields_of(crowd.validate("USD").unwrap_err()),
            ["technician_ids"]
        );
    }

    #[test]
    fn a_patch_moves_the_schedule_and_keeps_the_rest() {
        let f = tune_up().validate("USD").unwrap();
        let customer = CustomerId::new();
        let p: JobPatch = serde_json::from_str(
            r#"{"version":1,"scheduled_start":"2026-05-10T13:00:00Z","scheduled_end":"2026-05-10T15:00:00Z"}"#,
        )
        .unwrap();
        let g = f.patched(customer, &p).unwrap();
        assert_eq!(g.scheduled_start, at(13));
        assert_eq!(g.service_type, f.service_type);
        let p: JobPatch =
            serde_json::from_str(r#"{"version":1,"scheduled_end":"2026-05-10T08:00:00Z"}"#)
                .unwrap();
        assert_eq!(
            fields_of(f.patched(customer, &p).unwrap_err()),
            ["scheduled_end"]
        );
    }

    #[test]
    fn industries_round_trip() {
        for i in Industry::ALL {
            assert_eq!(Industry::parse(i.as_str()), Some(i));
            assert_eq!(serde_json::to_value(i).unwrap(), i.as_str());
        }
    }
}

/// A job booked from work already agreed — an accepted quote or a won lead:
/// when, where and by whom. What is done comes from the quote's lines or
/// the lead's deal value.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// One of the customer's service addresses; defaults to their primary
    /// address.
    pub address_id: Option<AddressId>,
    /// Defaults to the quote's title, or the lead's name.
    pub service_type: Option<String>,
    /// hvac, plumbing, electrical, cleaning, appliance_repair or other.
    pub industry: Option<String>,
    #[schema(required = true, nullable = false)]
    pub scheduled_start: Option<DateTime<Utc>>,
    /// After the start and at most 31 days later.
    #[schema(required = true, nullable = false)]
    pub scheduled_end: Option<DateTime<Utc>>,
    #[serde(default)]
    pub technician_ids: Vec<UserId>,
}

/// What the source of a scheduled job contributes.
pub struct AgreedWork {
    pub customer: CustomerId,
    /// The customer's primary address, used when the schedule names none.
    pub primary_address: Option<AddressId>,
    pub service_type: String,
    pub description: Option<String>,
    pub currency: String,
    pub line_items: Vec<LineItemInput>,
}

impl ScheduleInput {
    /// The job to book: the schedule's choices over the source's defaults.
    pub fn job(&self, work: AgreedWork) -> JobInput {
        JobInput {
            customer_id: Some(work.customer),
            address_id: self.address_id.or(work.primary_address),
            service_type: Some(
                self.service_type
                    .clone()
                    .filter(|s| !s.trim().is_empty())
                    .unwrap_or(work.service_type),
            ),
            industry: self.industry.clone(),
            description: work.description,
            scheduled_start: self.scheduled_start,
            scheduled_end: self.scheduled_end,
            technician_ids: self.technician_ids.clone(),
            equipment_ids: vec![],
            currency: Some(work.currency),
            line_items: work.line_items,
        }
    }
}

#[cfg(test)]
mod schedule_tests {
    use super::*;

    fn agreed() -> AgreedWork {
        AgreedWork {
            customer: CustomerId::new(),
            primary_address: Some(AddressId::new()),
            service_type: "Furnace replacement".into(),
            description: None,
            currency: "USD".into(),
            line_items: vec![],
        }
    }

    #[test]
    fn the_schedule_overrides_the_sources_defaults() {
        let work = agreed();
        let primary = work.primary_address;
        let mut s = ScheduleInput::default();
        let job = s.job(agreed_with(primary));
        assert_eq!(job.address_id, primary);
        assert_eq!(job.service_type.as_deref(), Some("Furnace replacement"));
        let chosen = AddressId::new();
        s.address_id = Some(chosen);
        s.service_type = Some("Install".into());
        let job = s.job(work);
        assert_eq!(job.address_id, Some(chosen));
        assert_eq!(job.service_type.as_deref(), Some("Install"));
    }

    #[test]
    fn a_blank_service_type_keeps_the_default() {
        let s = ScheduleInput {
            service_type: Some("  ".into()),
            ..Default::default()
        };
        assert_eq!(
            s.job(agreed()).service_type.as_deref(),
            Some("Furnace replacement")
        );
    }

    fn agreed_with(primary: Option<AddressId>) -> AgreedWork {
        AgreedWork {
            primary_address: primary,
            ..agreed()
        }
    }
}
