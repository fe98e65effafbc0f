//! `hearth bench duplicates`: the whole-organisation duplicate pass of
//! DESIGN.md §6 (over M's customers in ≤ 30 s, precision ≥ 0.95, recall
//! ≥ 0.90), on a fresh organisation of synthetic people, `planted` percent
//! of them a second record of an earlier one as someone else would type
//! it: a typo in the name or first and last swapped, and then the same
//! phone in another format, or the same email with a new phone, or the same
//! service address with its street type written the other way and neither
//! phone nor email. Others share a household with an earlier customer
//! (address, last name, sometimes the landline) and are not duplicates.
//! What the pass finds is scored against the planted pairs; every other
//! pair it reports counts against precision.

use super::names::{FIRST, LAST, PLACES};
use super::{person, retyped, typo, written_phone};
use anyhow::Result;
use chrono::Utc;
use hearth_domain::contact::Phone;
use hearth_domain::customers::CustomerFields;
use hearth_domain::{AddressId, CustomerId};
use hearth_store::bulk::{self, NewAddress, NewCustomer};
use hearth_store::{Store, duplicates, orgs, work};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Instant;

pub struct DuplicatesBench {
    pub customers: usize,
    /// Percent of the customers that repeat an earlier one.
    pub planted: f64,
    pub seed: u64,
}

/// Share of new people who live with an earlier customer.
const HOUSEHOLDS: f64 = 0.05;

/// Customers written per transaction (untimed set-up).
const PER_TRANSACTION: usize = 5_000;

/// Street types as people write them, spelled out and abbreviated.
const STREET_TYPES: &[(&str, &str)] = &[
    ("Street", "St."),
    ("Avenue", "Ave"),
    ("Road", "Rd"),
    ("Drive", "Dr."),
    ("Lane", "Ln"),
    ("Court", "Ct"),
    ("Boulevard", "Blvd"),
];

/// A customer to write, with the street and postal code of their one
/// service address (a few have none).
struct Made {
    customer: NewCustomer,
    /// (number and street name, index into STREET_TYPES, postal code)
    address: Option<(String, usize, String)>,
}

fn address(rng: &mut StdRng) -> Option<(String, usize, String)> {
    rng.random_bool(0.9).then(|| {
        (
            format!(
                "{} {}",
                rng.random_range(1..9_999),
                LAST[rng.random_range(0..LAST.len())]
            ),
            rng.random_range(0..STREET_TYPES.len()),
            format!("{:05}", rng.random_range(501..99_950)),
        )
    })
}

/// The same person typed again: the name changed slightly, then one way
/// of matching them kept.
fn repeat(rng: &mut StdRng, of: &Made) -> Made {
    let mut fields: CustomerFields = of.customer.fields.clone();
    match rng.random_range(0..5) {
        0 => std::mem::swap(&mut fields.first_name, &mut fields.last_name),
        1 | 2 => fields.last_name = fields.last_name.as_deref().map(|w| typo(rng, w)),
        _ => fields.first_name = fields.first_name.as_deref().map(|w| typo(rng, w)),
    }
    let mut address = None;
    match rng.random_range(0..10) {
        // The phone as another person writes it, through validation.
        0..4 => {
            let written = fields.phone.as_deref().map(retyped);
            fields.phone =
                written.and_then(|w| Phone::parse(&w, "US").ok().map(Phone::into_string));
            if rng.random_bool(0.5) {
                fields.email = None;
            }
        }
        // The email, with a new phone.
        4..6 if fields.email.is_some() => {
            fields.phone = Some(written_phone(rng).1);
        }
        // The service address, its street type written the other way.
        _ => {
            fields.phone = None;
            fields.email = None;
            address = of.address.clone().or_else(|| address_for(rng));
        }
    }
    Made {
        customer: NewCustomer {
            id: CustomerId::new(),
            fields,
            created_at: Utc::now(),
        },
        address,
    }
}

fn address_for(rng: &mut StdRng) -> Option<(String, usize, String)> {
    loop {
        if let Some(a) = address(rng) {
            return Some(a);
        }
    }
}

pub async fn run(store: &Store, args: &DuplicatesBench) -> Result<()> {
    let mut rng = StdRng::seed_from_u64(args.seed);
    let slug = format!("dups-{}", uuid::Uuid::now_v7().simple());
    let org = {
        let slug = slug.clone();
        store
            .write(work!(|c| async {
                Ok(orgs::create(c, &slug, "Duplicates bench", "US").await?.id)
            }))
            .await?
    };
    let mut made: Vec<Made> = Vec::with_capacity(args.customers);
    // Which person each record is: a repeat of a repeat is one person too.
    let mut person_of: Vec<usize> = Vec::with_capacity(args.customers);
    let mut long_form: BTreeSet<CustomerId> = BTreeSet::new();
    let (mut phones, mut emails) = (HashSet::new(), HashSet::new());
    for n in 0..args.customers {
        if !made.is_empty() && rng.random_bool(args.planted / 100.0) {
            let of = rng.random_range(0..made.len());
            let copy = repeat(&mut rng, &made[of]);
            if copy.address.is_some() {
                // The earlier record has the address (it may have had
                // none), written with the street type spelled out.
                made[of].address = copy.address.clone();
                long_form.insert(made[of].customer.id);
            }
            person_of.push(person_of[of]);
            made.push(copy);
        } else {
            let mut fields = person(&mut rng, n);
            // A number or a mailbox is one person's: the generator's
            // random ones may repeat, real ones do not.
            while fields
                .phone
                .as_ref()
                .is_some_and(|p| !phones.insert(p.clone()))
            {
                fields.phone = Some(written_phone(&mut rng).1);
            }
            if let Some(email) = &fields.email
                && !emails.insert(email.clone())
            {
                let unique = email.replacen('@', &format!(".{n}@"), 1);
                emails.insert(unique.clone());
                fields.email = Some(unique);
            }
            let mut place = address(&mut rng);
            // Another person of an earlier customer's household: their
            // address and last name, sometimes their landline too. Not a
            // duplicate, and what a careless rule would take for one.
            if !made.is_empty() && rng.random_bool(HOUSEHOLDS) {
                let of = &made[rng.random_range(0..made.len())];
                // Same first name too would be the same record in every
                // field (a Jr. no rule can tell apart): another one.
                if of.address.is_some() && fields.first_name != of.customer.fields.first_name {
                    place = of.address.clone();
                    fields.last_name = of.customer.fields.last_name.clone();
                    if rng.random_bool(0.2) {
                        fields.phone = of.customer.fields.phone.clone();
                    }
                }
            }
            person_of.push(n);
            made.push(Made {
                customer: NewCustomer {
                    id: CustomerId::new(),
                    fields,
                    created_at: Utc::now(),
                },
                address: place,
            });
        }
    }
    let person: BTreeMap<CustomerId, usize> = made
        .iter()
        .zip(&person_of)
        .map(|(m, p)| (m.customer.id, *p))
        .collect();
    let mut records_of: BTreeMap<usize, usize> = BTreeMap::new();
    for p in &person_of {
        *records_of.entry(*p).or_default() += 1;
    }
    let planted: usize = records_of.values().map(|k| k * (k - 1) / 2).sum();
    let started = Instant::now();
    for part in made.chunks(PER_TRANSACTION) {
        let customers: Vec<NewCustomer> = part
            .iter()
            .map(|m| NewCustomer {
                id: m.customer.id,
                fields: m.customer.fields.clone(),
                created_at: m.customer.created_at,
            })
            .collect();
        let addresses: Vec<NewAddress> = part
            .iter()
            .filter_map(|m| {
                let (street, kind, postal) = m.address.as_ref()?;
                let (long, short) = STREET_TYPES[*kind];
                let written = if long_form.contains(&m.customer.id) {
                    long
                } else {
                    short
                };
                Some(NewAddress {
                    id: AddressId::new(),
                    customer_id: m.customer.id,
                    line1: format!("{street} {written}"),
                    city: PLACES[street.len() % PLACES.len()].to_string(),
                    postal_code: postal.clone(),
                    is_primary: true,
                    created_at: m.customer.created_at,
                })
            })
            .collect();
        store
            .write(work!(|c| async {
                bulk::insert_customer_rows(c, org, None, &customers).await?;
                bulk::insert_addresses(c, org, &addresses).await
            }))
            .await?;
    }
    // As after `bench generate`: statistics for the planner.
    store.optimize(true).await?;
    println!(
        "org {slug}: {} customers ({planted} planted duplicate pairs; names from {} first × {} last) written in {:.1} s",
        made.len(),
        FIRST.len(),
        LAST.len(),
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let found = store
        .read_scan(work!(|c| duplicates::pairs(c, org, usize::MAX)))
        .await?;
    let secs = started.elapsed().as_secs_f64();
    let right = found
        .iter()
        .filter(|p| person.get(&p.a.customer_id) == person.get(&p.b.customer_id))
        .count();
    // A few of the pairs that are not planted, to see what the rules take
    // for a duplicate.
    for p in found
        .iter()
        .filter(|p| person.get(&p.a.customer_id) != person.get(&p.b.customer_id))
        .take(8)
    {
        let reasons: Vec<String> = p.reasons.iter().map(|r| r.describe()).collect();
        println!(
            "  not planted: {} / {}: {}",
            p.a.display_name,
            p.b.display_name,
            reasons.join(", ")
        );
    }
    let precision = right as f64 / found.len().max(1) as f64;
    let recall = right as f64 / planted.max(1) as f64;
    println!(
        "full pass: {} pairs in {secs:.2} s ({:.0} customers/s); {right} planted found: \
         precision {precision:.3}, recall {recall:.3}",
        found.len(),
        made.len() as f64 / secs
    );
    Ok(())
}
