//! The demo business: a believable HVAC and plumbing company with a few
//! hundred customers, so a newcomer sees a working CRM at once.

mod billing;
mod jobs;
mod leads;

use crate::bench::names::{FIRST, LAST};
use anyhow::Result;
use chrono::{Duration, Utc};
use hearth_domain::auth::Role;
use hearth_domain::customers::{ContactMethod, CustomerInput};
use hearth_domain::history::{Actor, ActorKind};
use hearth_store::{Store, auth, customers, orgs, work};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub const SLUG: &str = "demo";
pub use jobs::TECHNICIAN_EMAILS;
const OWNER_EMAIL: &str = "owner@demo.hearth.test";
const CUSTOMERS: usize = 300;

pub struct Login {
    pub email: String,
    pub password: String,
}

const BUSINESSES: &[&str] = &[
    "Lakeside Dental",
    "Barton Creek Apartments",
    "Hill Country Bakery",
    "Riverside Vet Clinic",
    "Oak Hollow HOA",
    "Cedar Park Fitness",
    "Sunrise Daycare",
    "Blue Bonnet Cafe",
    "Mesa Property Management",
    "Westlake Montessori",
];
const AREA_CODES: &[&str] = &["512", "737", "210", "214", "713", "830"];

/// Creates the demo business the first time; every start gives its owner a
/// fresh password, printed once, so no fixed password ever ships.
pub async fn load(store: &Store) -> Result<Login> {
    let password = auth::new_token()[..16].to_string();
    let hash = hearth_server::hash_password(password.clone())
        .await
        .map_err(anyhow::Error::msg)?;
    store
        .write(work!(|c| async {
            let actor = Actor::system("demo data");
            let as_actor = |u: &auth::User| Actor {
                kind: ActorKind::User,
                id: Some(u.id.0),
                name: u.name.clone(),
            };
            if let Some(org) = orgs::by_slug(c, SLUG).await?
                && let Some((user, _)) = auth::user_for_login(c, OWNER_EMAIL).await?
            {
                auth::set_password(c, org.id, user.id, &hash).await?;
                let crew = jobs::technicians(c, org.id, &hash).await?;
                // A demo database from before jobs existed gets them now.
                if !jobs::has_jobs(c, org.id).await? {
                    jobs::seed(c, org.id, &actor, &as_actor(&user), &crew).await?;
                }
                return Ok(());
            }
            let org = orgs::create(c, SLUG, "Summit Heating & Plumbing", "US").await?;
            let owner =
                auth::create_user(c, org.id, OWNER_EMAIL, "Dana Summit", Role::Owner, &hash)
                    .await?;
            let mut rng = StdRng::seed_from_u64(7);
            let mut ids = Vec::with_capacity(CUSTOMERS);
            for i in 0..CUSTOMERS {
                let customer = customers::create(
                    c,
                    org.id,
                    &org.default_region,
                    &actor,
                    &demo_customer(&mut rng, i),
                )
                .await?;
                ids.push(customer.id);
            }
            let crew = jobs::technicians(c, org.id, &hash).await?;
            jobs::seed(c, org.id, &actor, &as_actor(&owner), &crew).await?;
            leads::load(c, org.id, &org.default_region, &actor).await?;
            billing::load(c, org.id, &actor, &ids).await?;
            Ok(())
        }))
        .await?;
    Ok(Login {
        email: OWNER_EMAIL.to_string(),
        password,
    })
}

fn demo_customer(rng: &mut StdRng, i: usize) -> CustomerInput {
    let first = FIRST[rng.random_range(0..FIRST.len())];
    let last = LAST[rng.random_range(0..LAST.len())];
    let business = i
        .is_multiple_of(12)
        .then(|| BUSINESSES[rng.random_range(0..BUSINESSES.len())].to_string());
    let phone = format!(
        "({}) {}-{:04}",
        AREA_CODES[rng.random_range(0..AREA_CODES.len())],
        rng.random_range(200..999),
        rng.random_range(0..10_000)
    );
    let domain = ["gmail.com", "outlook.com", "yahoo.com", "icloud.com"][rng.random_range(0..4)];
    let email = (rng.random_range(0..10) < 8).then(|| {
        format!(
            "{}.{}{}@{domain}",
            first.to_lowercase(),
            last.to_lowercase().replace('\'', ""),
            i % 97
        )
    });
    let since = Utc::now().date_naive() - Duration::days(rng.random_range(0..365 * 12));
    CustomerInput {
        first_name: Some(first.to_string()),
        last_name: Some(last.to_string()),
        business_name: business,
        email,
        phone: Some(phone),
        preferred_contact_method: Some(ContactMethod::ALL[rng.random_range(0..3)]),
        customer_since: Some(since),
    }
}
