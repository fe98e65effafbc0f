//! Jobs (bookings): a visit to one of a customer's service addresses, with
//! the technicians sent, what was done and charged, and how it went.

mod booking;
mod line_items;
mod money;
mod photos;
mod status;
mod work;

pub use booking::*;
pub use line_items::*;
pub use money::*;
pub use photos::*;
pub use status::*;
pub use work::*;

use crate::{AddressId, CustomerId, EquipmentId, JobId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The trade a job belongs to; reports group services by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Industry {
    Hvac,
    Plumbing,
    Electrical,
    Cleaning,
    ApplianceRepair,
    Other,
}

impl Industry {
    pub const ALL: [Industry; 6] = [
        Industry::Hvac,
        Industry::Plumbing,
        Industry::Electrical,
        Industry::Cleaning,
        Industry::ApplianceRepair,
        Industry::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Industry::Hvac => "hvac",
            Industry::Plumbing => "plumbing",
            Industry::Electrical => "electrical",
            Industry::Cleaning => "cleaning",
            Industry::ApplianceRepair => "appliance_repair",
            Industry::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Industry> {
        Self::ALL.into_iter().find(|i| i.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Industry::Hvac => "HVAC",
            Industry::Plumbing => "Plumbing",
            Industry::Electrical => "Electrical",
            Industry::Cleaning => "Cleaning",
            Industry::ApplianceRepair => "Appliance repair",
            Industry::Other => "Other",
        }
    }
}

/// What a dispatcher edits, after validation; serialised, it is also what
/// the audit log compares between versions.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct JobFields {
    /// A live address of the job's customer.
    pub address_id: AddressId,
    /// Free text, e.g. "AC tune-up".
    pub service_type: String,
    pub industry: Industry,
    /// What the customer reported, or instructions for the visit.
    pub description: Option<String>,
    pub scheduled_start: DateTime<Utc>,
    /// After `scheduled_start`.
    pub scheduled_end: DateTime<Utc>,
    /// Users of the organisation sent to the job, any role.
    pub technician_ids: Vec<UserId>,
    /// Equipment serviced: units at the customer's addresses. Completing
    /// the job sets their `last_service_date`.
    pub equipment_ids: Vec<EquipmentId>,
    /// ISO 4217 code every line item is priced in.
    pub currency: String,
    pub line_items: Vec<LineItem>,
}

/// A technician on a job, by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Technician {
    pub id: UserId,
    pub name: String,
}

/// The technician's sign-off with the customer's typed name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct SignOff {
    /// The signed-in user who signed; absent for an API key.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub technician_id: Option<uuid::Uuid>,
    pub technician_name: String,
    /// The name the customer typed to accept the work.
    pub customer_name: String,
    pub signed_at: DateTime<Utc>,
}

/// A stored job.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Job {
    pub id: JobId,
    pub customer_id: CustomerId,
    /// The customer's name as it reads today.
    pub customer_display_name: String,
    /// The service address on one line.
    pub address_one_line: String,
    #[serde(flatten)]
    pub fields: JobFields,
    pub technicians: Vec<Technician>,
    pub status: JobStatus,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    pub totals: JobTotals,
    pub sign_off: Option<SignOff>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Send it back with an update.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Job {
    /// "AC tune-up · Mar 4, 09:00" for timelines and lists.
    pub fn title(&self) -> String {
        format!(
            "{} on {}",
            self.fields.service_type,
            self.fields.scheduled_start.format("%b %-d, %Y %H:%M")
        )
    }

    pub fn is_assigned(&self, user: UserId) -> bool {
        self.fields.technician_ids.contains(&user)
    }
}

impl JobFields {
    pub fn totals(&self) -> JobTotals {
        totals(&self.currency, &self.line_items)
    }
}
