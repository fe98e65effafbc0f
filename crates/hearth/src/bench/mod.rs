//! `hearth bench generate`: fills the configured database with a realistic
//! synthetic business for measuring Hearth (DESIGN.md §6): people and
//! businesses with names skewed like real ones (many Smiths, few Kowalskis),
//! phones typed in several formats and normalised as a person's input
//! would be, emails, ~2 % near-duplicates with a typo, timeline events, and
//! each customer's addresses, equipment, jobs, invoices and membership
//! (`services`).
//!
//! Speed over ceremony: batched multi-row inserts, thousands of customers
//! per transaction, and no per-row audit log (hearth_store::bulk says why).
//! It writes a sample file (API keys and a few thousand customers) that the
//! load driver in benches/load reads to build its requests.

pub mod duplicates;
pub mod import;
mod leads;
pub(crate) mod names;
pub mod segments;
mod services;

use anyhow::{Context, Result};
use chrono::{Duration, Utc};
use hearth_domain::auth::Role;
use hearth_domain::contact::Phone;
use hearth_domain::customers::{ContactMethod, CustomerFields};
use hearth_domain::history::Actor;
use hearth_domain::{CustomerId, OrgId, PlanId};
use hearth_store::bulk::{self, NewCustomer, NewEvent, Timeline};
use hearth_store::{Engine, Store, auth, orgs, work};
use indicatif::{ProgressBar, ProgressStyle};
use names::{ACTIVITY, AREA_CODES, DOMAINS, FIRST, LAST, PLACES, TRADES};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use services::Services;
use std::path::Path;

/// Customers written per transaction.
const PER_TRANSACTION: usize = 5_000;
/// Customers listed in the sample file for the load driver.
const SAMPLE: usize = 5_000;

pub struct Generate {
    pub customers: usize,
    pub orgs: usize,
    pub events_per_customer: usize,
    pub jobs_per_customer: usize,
    /// Leads in all, shared by the orgs.
    pub leads: usize,
    pub seed: u64,
}

/// An index skewed towards the front of a list, like real name frequencies.
pub(crate) fn skewed(rng: &mut StdRng, len: usize) -> usize {
    let u: f64 = rng.random();
    ((u * u * u) * len as f64) as usize % len
}

/// One typo: a swap, a deletion, a doubled letter or a wrong letter.
pub fn typo(rng: &mut StdRng, word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return word.to_string();
    }
    let i = rng.random_range(1..chars.len() - 1);
    match rng.random_range(0..4) {
        0 => chars.swap(i, i + 1),
        1 => {
            chars.remove(i);
        }
        2 => chars.insert(i, chars[i]),
        _ => chars[i] = if chars[i] == 'e' { 'a' } else { 'e' },
    }
    chars.into_iter().collect()
}

/// A number in one of the ways people type them.
fn written_phone(rng: &mut StdRng) -> (String, String) {
    loop {
        let area = AREA_CODES[rng.random_range(0..AREA_CODES.len())];
        let exchange = rng.random_range(200..1000);
        let line = rng.random_range(0..10_000);
        let written = match rng.random_range(0..5) {
            0 => format!("({area}) {exchange}-{line:04}"),
            1 => format!("{area}-{exchange}-{line:04}"),
            2 => format!("{area}.{exchange}.{line:04}"),
            3 => format!("+1 {area} {exchange} {line:04}"),
            _ => format!("{area}{exchange}{line:04}"),
        };
        if let Ok(p) = Phone::parse(&written, "US") {
            return (written, p.into_string());
        }
    }
}

/// "+15125550134" as a person might type it: "(512) 555-0134".
fn retyped(e164: &str) -> String {
    let d = e164.trim_start_matches("+1");
    match d.get(0..3).zip(d.get(3..6)).zip(d.get(6..)) {
        Some(((area, exchange), line)) => format!("({area}) {exchange}-{line}"),
        None => e164.to_string(),
    }
}

fn person(rng: &mut StdRng, n: usize) -> CustomerFields {
    let first = FIRST[skewed(rng, FIRST.len())];
    let last = LAST[skewed(rng, LAST.len())];
    let business = rng.random_bool(0.12).then(|| {
        format!(
            "{} {}",
            PLACES[rng.random_range(0..PLACES.len())],
            TRADES[rng.random_range(0..TRADES.len())]
        )
    });
    let email = rng.random_bool(0.8).then(|| {
        let domain = DOMAINS[skewed(rng, DOMAINS.len())];
        let local = if rng.random_bool(0.5) {
            format!("{}.{}", first, last)
        } else {
            format!("{}{}{}", &first[..1], last, n % 1000)
        };
        format!("{}@{domain}", local.to_lowercase().replace('\'', ""))
    });
    let (_, phone) = written_phone(rng);
    let since = Utc::now().date_naive() - Duration::days(rng.random_range(0..365 * 12));
    CustomerFields {
        first_name: Some(first.to_string()),
        last_name: Some(last.to_string()),
        business_name: business,
        email,
        phone: Some(phone),
        preferred_contact_method: ContactMethod::ALL[rng.random_range(0..3)],
        customer_since: since,
    }
}

/// A second record of the same person, typed by someone else.
fn near_duplicate(rng: &mut StdRng, of: &CustomerFields) -> CustomerFields {
    let mut dup = of.clone();
    if rng.random_bool(0.5) {
        dup.last_name = of.last_name.as_deref().map(|w| typo(rng, w));
    } else {
        dup.first_name = of.first_name.as_deref().map(|w| typo(rng, w));
    }
    if rng.random_bool(0.3) {
        dup.email = None;
    }
    dup
}

/// The organisation, a fresh admin API key, and the membership plan its
/// generated members join.
async fn bench_org(store: &Store, slug: String) -> Result<(OrgId, String, PlanId)> {
    let made = store
        .write(work!(|c| async {
            let org = match orgs::by_slug(c, &slug).await? {
                Some(org) => org,
                None => orgs::create(c, &slug, &format!("Bench {slug}"), "US").await?,
            };
            let (_, key) = auth::create_api_key(c, org.id, "bench", Role::Admin).await?;
            let plan = bulk::insert_plan(c, org.id, "Comfort Club", 1_900).await?;
            Ok((org.id, key, plan))
        }))
        .await?;
    Ok(made)
}

pub async fn generate(store: &Store, args: &Generate, sample_path: &Path) -> Result<()> {
    let orgs_count = args.orgs.max(1);
    let mut rng = StdRng::seed_from_u64(args.seed);
    let actor = Actor::system("bench generate");
    let bar = ProgressBar::new(args.customers as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{bar:40}] {human_pos}/{human_len} customers ({per_sec}, eta {eta})",
        )?
        .progress_chars("=> "),
    );
    if store.engine() == Engine::Sqlite {
        // Search terms and names arrive in random key order: a 1 GiB page
        // cache for this process's writer keeps the B-trees in memory.
        store
            .write(work!(|c| c.batch("PRAGMA cache_size = -1048576")))
            .await?;
    }
    let started = std::time::Instant::now();
    let mut org_entries = Vec::new();
    let mut boards = Vec::new();
    let mut sample = Vec::new();
    let sample_every = (args.customers / SAMPLE).max(1);
    let mut written = 0usize;
    let mut events_written = 0usize;
    let mut services_written = [0usize; 5];
    for o in 0..orgs_count {
        let slug = format!("bench-{}", o + 1);
        let (org, key, plan) = bench_org(store, slug.clone()).await?;
        org_entries.push(json!({"slug": slug, "org_id": org, "key": key}));
        let share = args.customers / orgs_count + usize::from(o < args.customers % orgs_count);
        let mut recent: Vec<CustomerFields> = Vec::new();
        let mut done = 0;
        while done < share {
            let n = PER_TRANSACTION.min(share - done);
            let mut customers = Vec::with_capacity(n);
            let mut events = Vec::with_capacity(n * args.events_per_customer);
            let mut work = Services::default();
            for _ in 0..n {
                let fields = match recent.len() {
                    len if len > 0 && rng.random_bool(0.02) => {
                        let of = recent[rng.random_range(0..len)].clone();
                        near_duplicate(&mut rng, &of)
                    }
                    _ => person(&mut rng, written),
                };
                if recent.len() < 10_000 {
                    recent.push(fields.clone());
                } else {
                    let i = rng.random_range(0..recent.len());
                    recent[i] = fields.clone();
                }
                let id = CustomerId::new();
                let created_at =
                    Utc::now() - Duration::minutes(rng.random_range(60..60 * 24 * 730));
                events.push(NewEvent {
                    on: Timeline::Customer(id),
                    kind: "profile",
                    action: "customer.created",
                    summary: format!("Customer {} created", fields.display_name()),
                    at: created_at,
                });
                work.add(&mut rng, id, created_at, args.jobs_per_customer, plan);
                let span = (Utc::now() - created_at).num_minutes().max(2);
                let more = rng.random_range(0..args.events_per_customer.max(1) * 2);
                for _ in 0..more {
                    let (kind, action, summary) = ACTIVITY[rng.random_range(0..ACTIVITY.len())];
                    events.push(NewEvent {
                        on: Timeline::Customer(id),
                        kind,
                        action,
                        summary: summary.to_string(),
                        at: created_at + Duration::minutes(rng.random_range(1..span)),
                    });
                }
                if written.is_multiple_of(sample_every) && sample.len() < SAMPLE {
                    sample.push(json!({
                        "org": o,
                        "id": id,
                        "first_name": fields.first_name,
                        "last_name": fields.last_name,
                        "phone": fields.phone,
                    }));
                }
                customers.push(NewCustomer {
                    id,
                    fields,
                    created_at,
                });
                written += 1;
            }
            events_written += events.len();
            for (total, n) in services_written.iter_mut().zip(work.counts()) {
                *total += n;
            }
            let actor = actor.clone();
            store
                .write(work!(|c| async {
                    bulk::insert_customers(c, org, &customers).await?;
                    bulk::insert_events(c, org, &actor, &events).await?;
                    work.write(c, org).await?;
                    // Bookings, payments and memberships written in bulk
                    // bypass history, which keeps segment facts current.
                    for customer in &customers {
                        hearth_store::segments::facts::refresh(c, org, customer.id).await?;
                    }
                    Ok(())
                }))
                .await
                .context("writing a batch of customers")?;
            done += n;
            bar.inc(n as u64);
        }
        let leads = args.leads / orgs_count + usize::from(o < args.leads % orgs_count);
        boards.push(leads::generate(store, &mut rng, org, o, leads).await?);
    }
    bar.finish();
    store
        .optimize(true)
        .await
        .context("analysing the generated data")?;
    let secs = started.elapsed().as_secs_f64();
    let [addresses, equipment, jobs, invoices, memberships] = services_written;
    println!(
        "generated {written} customers, {events_written} timeline events, {addresses} addresses, \
         {equipment} units of equipment, {jobs} jobs, {invoices} invoices and {memberships} \
         memberships in {orgs_count} orgs in {secs:.1} s ({:.0} customers/s)",
        written as f64 / secs
    );
    println!(
        "and {} leads in {:.1} s in all",
        args.leads,
        started.elapsed().as_secs_f64()
    );
    let file = json!({"orgs": org_entries, "customers": sample, "boards": boards});
    std::fs::write(sample_path, serde_json::to_vec_pretty(&file)?)
        .with_context(|| format!("writing {}", sample_path.display()))?;
    println!(
        "sample for benches/load written to {} (it holds API keys: keep it local)",
        sample_path.display()
    );
    Ok(())
}
