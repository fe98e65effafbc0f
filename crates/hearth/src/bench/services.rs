//! The work and money of generated customers (issue 5): service addresses,
//! equipment, jobs over two years, an invoice per completed job (most paid),
//! and memberships, in the shape of data set M (DESIGN.md §6).

use super::names::{LAST, PLACES};
use chrono::{DateTime, Duration, Utc};
use hearth_domain::{
    AddressId, CustomerId, EquipmentId, InvoiceId, JobId, MembershipId, OrgId, PlanId,
};
use hearth_store::bulk::{self, NewAddress, NewEquipment, NewInvoice, NewJob, NewMembership};
use hearth_store::{Conn, Result};
use rand::Rng;
use rand::rngs::StdRng;

const SERVICES: &[(&str, &str, i64)] = &[
    ("AC tune-up", "hvac", 12_900),
    ("Furnace repair", "hvac", 34_500),
    ("Water heater flush", "plumbing", 15_900),
    ("Drain cleaning", "plumbing", 22_000),
    ("Panel inspection", "electrical", 18_900),
    ("Deep clean", "cleaning", 24_000),
    ("Dryer repair", "appliance_repair", 17_500),
];
const UNITS: &[(&str, &str)] = &[
    ("Furnace", "Carrier"),
    ("Air conditioner", "Trane"),
    ("Water heater", "Rheem"),
    ("Heat pump", "Lennox"),
    ("Dryer", "Whirlpool"),
];

/// One transaction's worth of generated records.
#[derive(Default)]
pub struct Services {
    pub addresses: Vec<NewAddress>,
    pub equipment: Vec<NewEquipment>,
    pub jobs: Vec<NewJob>,
    pub invoices: Vec<NewInvoice>,
    pub memberships: Vec<NewMembership>,
}

impl Services {
    /// Adds one customer's records: an address (a third have two), two
    /// units at the first, `jobs` jobs between their creation and two months
    /// ahead, and a membership for one in five.
    pub fn add(
        &mut self,
        rng: &mut StdRng,
        customer: CustomerId,
        created_at: DateTime<Utc>,
        jobs: usize,
        plan: PlanId,
    ) {
        let now = Utc::now();
        let places = 1 + usize::from(rng.random_bool(0.33));
        let mut first = None;
        for n in 0..places {
            let id = AddressId::new();
            first.get_or_insert(id);
            self.addresses.push(NewAddress {
                id,
                customer_id: customer,
                line1: format!(
                    "{} {} St",
                    rng.random_range(1..9_999),
                    LAST[rng.random_range(0..LAST.len())]
                ),
                city: PLACES[rng.random_range(0..PLACES.len())].to_string(),
                postal_code: format!("{:05}", rng.random_range(501..99_950)),
                is_primary: n == 0,
                created_at,
            });
        }
        let Some(address) = first else { return };
        for _ in 0..2 {
            let (kind, make) = UNITS[rng.random_range(0..UNITS.len())];
            let installed = now.date_naive() - Duration::days(rng.random_range(30..5_000));
            self.equipment.push(NewEquipment {
                id: EquipmentId::new(),
                customer_id: customer,
                address_id: address,
                kind,
                make,
                install_date: installed,
                warranty_expires_on: installed + Duration::days(365 * 5),
                created_at,
            });
        }
        let span = (now + Duration::days(60) - created_at)
            .num_minutes()
            .max(120);
        for _ in 0..jobs {
            let (service_type, industry, price) = SERVICES[rng.random_range(0..SERVICES.len())];
            let start = created_at + Duration::minutes(rng.random_range(60..span));
            let status = if start > now {
                "scheduled"
            } else if rng.random_bool(0.92) {
                "completed"
            } else {
                "cancelled"
            };
            let id = JobId::new();
            self.jobs.push(NewJob {
                id,
                customer_id: customer,
                address_id: address,
                service_type,
                industry,
                scheduled_start: start,
                scheduled_end: start + Duration::hours(2),
                status,
                total_minor: price,
                created_at: start.min(now) - Duration::days(3),
            });
            if status == "completed" {
                self.invoices.push(NewInvoice {
                    id: InvoiceId::new(),
                    customer_id: customer,
                    job_id: id,
                    description: service_type,
                    total_minor: price,
                    paid: rng.random_bool(0.9),
                    issued_at: start + Duration::hours(2),
                });
            }
        }
        if rng.random_bool(0.2) {
            let roll: f64 = rng.random();
            let status = match roll {
                r if r < 0.8 => "active",
                r if r < 0.9 => "paused",
                _ => "cancelled",
            };
            self.memberships.push(NewMembership {
                id: MembershipId::new(),
                customer_id: customer,
                plan_id: plan,
                status,
                started_on: created_at.date_naive(),
                // Renewed every month since it started: renews next month.
                periods: (now - created_at).num_days() / 30 + 1,
                created_at,
            });
        }
    }

    /// Writes the batch inside the caller's transaction, after its customers.
    pub async fn write(&self, c: &mut Conn, org: OrgId) -> Result<()> {
        bulk::insert_addresses(c, org, &self.addresses).await?;
        bulk::insert_equipment(c, org, &self.equipment).await?;
        bulk::insert_jobs(c, org, &self.jobs).await?;
        bulk::insert_invoices(c, org, &self.invoices).await?;
        bulk::insert_memberships(c, org, &self.memberships).await
    }

    pub fn counts(&self) -> [usize; 5] {
        [
            self.addresses.len(),
            self.equipment.len(),
            self.jobs.len(),
            self.invoices.len(),
            self.memberships.len(),
        ]
    }
}
