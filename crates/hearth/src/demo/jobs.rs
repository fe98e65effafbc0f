//! The demo business's field work: service addresses and equipment for its
//! customers, three technicians, and a few hundred jobs over the past and
//! the next two weeks (the past ones mostly completed, which sets the
//! equipment's last service dates).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use hearth_domain::addresses::AddressInput;
use hearth_domain::auth::Role;
use hearth_domain::equipment::EquipmentInput;
use hearth_domain::history::{Actor, ActorKind};
use hearth_domain::jobs::{JobAccess, JobInput, JobNoteInput, LineItemInput, StatusInput};
use hearth_domain::{OrgId, UserId};
use hearth_store::{Conn, Raw, Result, addresses, auth, customers, equipment, jobs, orgs};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Customers who get addresses, equipment and jobs.
const SERVED_CUSTOMERS: u64 = 120;
const JOBS: usize = 320;
/// Jobs fall this many days either side of today.
const SPREAD_DAYS: i64 = 14;

pub const TECHNICIAN_EMAILS: [&str; 3] = [
    "tom@demo.hearth.test",
    "ana@demo.hearth.test",
    "sam@demo.hearth.test",
];
const TECHNICIAN_NAMES: [&str; 3] = ["Tom Rivera", "Ana Lopez", "Sam Okafor"];

const STREETS: &[&str] = &[
    "Oak St",
    "Maple Ave",
    "Cedar Ln",
    "Barton Springs Rd",
    "Lamar Blvd",
    "Guadalupe St",
    "Riverside Dr",
    "Manor Rd",
    "Burnet Rd",
    "Pecan St",
    "Mesa Dr",
    "Shoal Creek Blvd",
];
const CITIES: &[(&str, &str)] = &[
    ("Austin", "78704"),
    ("Austin", "78751"),
    ("Round Rock", "78664"),
    ("Cedar Park", "78613"),
    ("Pflugerville", "78660"),
];
const ACCESS: &[&str] = &[
    "Gate code 4512#",
    "Key under the blue pot by the side door",
    "Friendly dog in the back yard; text before entering",
    "Park in the alley; unit is in the garage attic",
    "Ring twice, the bell is weak",
];
const UNITS: &[(&str, &str, &str, i64)] = &[
    ("Furnace", "Carrier", "59SC5", 18),
    ("AC condenser", "Trane", "XR14", 15),
    ("Heat pump", "Lennox", "XP21", 15),
    ("Water heater", "Rheem", "Performance 50", 12),
    ("Tankless water heater", "Rinnai", "RU199", 20),
    ("Air handler", "Goodman", "AMST36", 18),
    ("Electrical panel", "Square D", "QO 200A", 40),
    ("Dishwasher", "Bosch", "SHX878", 10),
];
/// Service, industry, typical price in cents.
const SERVICES: &[(&str, &str, i64)] = &[
    ("AC tune-up", "hvac", 8900),
    ("Furnace inspection", "hvac", 9900),
    ("No-cool diagnostic", "hvac", 12900),
    ("Water heater flush", "plumbing", 14900),
    ("Leaking faucet repair", "plumbing", 11900),
    ("Drain cleaning", "plumbing", 17900),
    ("Panel inspection", "electrical", 15900),
    ("Outlet replacement", "electrical", 9500),
    ("Dishwasher repair", "appliance_repair", 13900),
    ("Duct cleaning", "cleaning", 29900),
];
const PARTS: &[(&str, i64)] = &[
    ("Air filter 16x25x1", 1850),
    ("Capacitor 45/5 µF", 4200),
    ("Anode rod", 3900),
    ("Faucet cartridge", 2750),
    ("GFCI outlet", 2400),
];
const NOTES: &[&str] = &[
    "Replaced filter; it was badly clogged. Recommend changing every 3 months.",
    "Capacitor reading low, replaced. System cooling normally.",
    "Flushed tank, a lot of sediment. Anode rod is at about 30%.",
    "Customer asked about a maintenance plan; left a brochure.",
    "Minor rust on the condenser cabinet; keep an eye on it.",
    "Checked all breakers, tightened two loose neutrals.",
];
const CANCEL_REASONS: &[&str] = &[
    "Customer rescheduled",
    "Customer not home",
    "Fixed it themselves",
];

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    day.and_hms_opt(hour, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or_else(Utc::now)
}

/// Whether the demo business has any jobs yet.
pub async fn has_jobs(c: &mut Conn, org: OrgId) -> Result<bool> {
    let n: i64 = c
        .query_one(
            &Raw(
                "SELECT COUNT(*) FROM jobs WHERE org_id = $1",
                vec![org.0.into()],
            ),
            |r| r.get(0),
        )
        .await?;
    Ok(n > 0)
}

/// The technicians' logins, created the first time; every start gives them
/// the owner's fresh password. Returns them as the actors of their work.
pub async fn technicians(c: &mut Conn, org: OrgId, password_hash: &str) -> Result<Vec<Actor>> {
    let mut crew = vec![];
    for (email, name) in TECHNICIAN_EMAILS.iter().zip(TECHNICIAN_NAMES) {
        let user = match auth::user_for_login(c, email).await? {
            Some((u, _)) => {
                auth::set_password(c, org, u.id, password_hash).await?;
                u
            }
            None => auth::create_user(c, org, email, name, Role::Technician, password_hash).await?,
        };
        crew.push(Actor {
            kind: ActorKind::User,
            id: Some(user.id.0),
            name: user.name,
        });
    }
    Ok(crew)
}

/// Adds addresses and equipment where customers have none, and the jobs,
/// worked by `crew`. `owner` gets a share of today's jobs, so the
/// technician view has something to show whoever signs in.
pub async fn seed(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    owner: &Actor,
    crew: &[Actor],
) -> Result<()> {
    let mut rng = StdRng::seed_from_u64(11);
    let user = |a: &Actor| a.id.map(UserId).unwrap_or_default();
    let listed = customers::list(
        c,
        org,
        &customers::ListQuery {
            limit: SERVED_CUSTOMERS,
            ..customers::ListQuery::default()
        },
    )
    .await?;
    let org_row = orgs::get(c, org).await?;
    // (customer, address, equipment at that address)
    let mut sites = vec![];
    for customer in listed.items {
        let mut places = addresses::list(c, org, customer.id, None, 10).await?.items;
        if places.is_empty() {
            let (city, postal) = *pick(&mut rng, CITIES);
            let input = AddressInput {
                label: Some("Home".into()),
                line1: Some(format!(
                    "{} {}",
                    rng.random_range(100..9999),
                    pick(&mut rng, STREETS)
                )),
                city: Some(city.into()),
                region: Some("TX".into()),
                postal_code: Some(postal.into()),
                access_instructions: rng
                    .random_bool(0.4)
                    .then(|| pick(&mut rng, ACCESS).to_string()),
                ..AddressInput::default()
            };
            let a = addresses::create(c, org, &org_row.default_region, actor, customer.id, &input)
                .await?;
            places.push(a);
        }
        let mut units = equipment::for_customer(c, org, customer.id).await?;
        if units.is_empty() {
            for _ in 0..rng.random_range(1..=2) {
                let (kind, make, model, life) = *pick(&mut rng, UNITS);
                let installed =
                    Utc::now().date_naive() - Duration::days(rng.random_range(200..365 * 14));
                let input = EquipmentInput {
                    kind: Some(kind.into()),
                    make: Some(make.into()),
                    model: Some(model.into()),
                    serial_number: Some(format!(
                        "{}{}",
                        &make[..2].to_uppercase(),
                        rng.random_range(100_000..999_999)
                    )),
                    install_date: Some(installed),
                    expected_lifespan_years: Some(life),
                    warranty_expires_on: Some(
                        installed + Duration::days(365 * rng.random_range(1..=10)),
                    ),
                    notes: None,
                };
                units.push(equipment::create(c, org, actor, places[0].id, &input).await?);
            }
        }
        for place in places {
            let here = units
                .iter()
                .filter(|u| u.address_id == place.id)
                .map(|u| u.id)
                .collect::<Vec<_>>();
            sites.push((customer.id, place.id, here));
        }
    }
    if sites.is_empty() {
        return Ok(());
    }
    let today = Utc::now().date_naive();
    for i in 0..JOBS {
        let (customer, address, units) = pick(&mut rng, &sites).clone();
        let offset = rng.random_range(-SPREAD_DAYS..=SPREAD_DAYS);
        let day = today + Duration::days(offset);
        let hour = rng.random_range(8..=16);
        let start = at(day, hour);
        let end = start + Duration::hours(rng.random_range(1..=3));
        let (service, industry, price) = *pick(&mut rng, SERVICES);
        let mut worker = pick(&mut rng, crew);
        if offset == 0 && i % 3 == 0 {
            worker = owner;
        }
        let mut technicians = vec![user(worker)];
        if rng.random_bool(0.2) {
            technicians.push(user(pick(&mut rng, crew)));
        }
        let mut line_items = vec![LineItemInput {
            kind: Some("service".into()),
            description: Some(service.into()),
            quantity: Some(1.0),
            unit_price_minor: Some(price),
            currency: None,
        }];
        if rng.random_bool(0.5) {
            let (part, cost) = *pick(&mut rng, PARTS);
            line_items.push(LineItemInput {
                kind: Some("product".into()),
                description: Some(part.into()),
                quantity: Some(f64::from(rng.random_range(1..=3))),
                unit_price_minor: Some(cost),
                currency: None,
            });
        }
        if rng.random_bool(0.2) {
            line_items.push(LineItemInput {
                kind: Some("extra".into()),
                description: Some("Trip charge".into()),
                quantity: None,
                unit_price_minor: Some(4900),
                currency: None,
            });
        }
        let input = JobInput {
            customer_id: Some(customer),
            address_id: Some(address),
            service_type: Some(service.into()),
            industry: Some(industry.into()),
            scheduled_start: Some(start),
            scheduled_end: Some(end),
            technician_ids: technicians,
            equipment_ids: units,
            line_items,
            ..JobInput::default()
        };
        let job = jobs::create(c, org, &org_row.default_region, actor, &input).await?;
        let roll: f64 = rng.random();
        let status = match offset {
            o if o < 0 && roll < 0.85 => Some(("completed", None)),
            o if o < 0 && roll < 0.95 => Some(("cancelled", Some(*pick(&mut rng, CANCEL_REASONS)))),
            0 if hour < 11 && roll < 0.7 => Some(("completed", None)),
            0 if hour < 13 && roll < 0.6 => Some(("in_progress", None)),
            0 if roll < 0.2 => Some(("en_route", None)),
            o if o > 0 && roll < 0.04 => Some(("cancelled", Some(*pick(&mut rng, CANCEL_REASONS)))),
            _ => None,
        };
        if let Some((to, reason)) = status {
            let input = StatusInput {
                status: Some(to.into()),
                reason: reason.map(str::to_string),
            };
            let when = if to == "completed" {
                end.min(Utc::now())
            } else {
                start.min(Utc::now())
            };
            jobs::set_status(c, org, worker, JobAccess::Any, job.id, &input, when).await?;
            if to == "completed" && rng.random_bool(0.5) {
                let note = JobNoteInput {
                    body: Some(pick(&mut rng, NOTES).to_string()),
                };
                jobs::add_note(c, org, worker, JobAccess::Any, job.id, &note).await?;
            }
        }
    }
    Ok(())
}
