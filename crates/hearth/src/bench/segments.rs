//! `hearth bench segments`: on a database filled by `bench generate`,
//! measures what DESIGN.md §6 asks of segments — recomputing the facts of
//! every customer of an organisation, each built-in segment's count and
//! first page, and the incremental refresh one change costs.
//!
//! `--jobs-per-customer N` first gives every customer of the organisation a
//! service address and about N bookings (past, upcoming, some cancelled),
//! so the facts are computed from real job rows, not empty tables.

use anyhow::Result;
use chrono::{Duration, Utc};
use hearth_domain::segments::builtin::BuiltIn;
use hearth_domain::{AddressId, CustomerId, JobId, OrgId};
use hearth_store::bulk::{self, NewAddress};
use hearth_store::segments::{self, facts};
use hearth_store::{Raw, Store, orgs, work};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_query::{Expr, Query};
use std::time::{Duration as Elapsed, Instant};

pub struct Segments {
    pub org: String,
    pub changes: usize,
    pub jobs_per_customer: usize,
}

/// Customers given bookings per transaction: at most 2 × 5 × 200 job rows
/// of 14 values, within SQLite's 32,766 parameters per statement.
const PER_TRANSACTION: usize = 200;

fn ms(d: Elapsed) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Nearest-rank percentile of sorted durations.
fn percentile(sorted: &[Elapsed], p: f64) -> Elapsed {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

async fn customer_ids(store: &Store, org: OrgId) -> Result<Vec<CustomerId>> {
    Ok(store
        .read(work!(|c| c.query(
            &Raw(
                "SELECT id FROM customers WHERE org_id = $1 AND deleted_at IS NULL",
                vec![org.0.into()],
            ),
            |r| r.get::<CustomerId>(0),
        )))
        .await?)
}

/// One address and about `per_customer` jobs per customer, in bulk and
/// without history (like `bench generate`); facts are rebuilt afterwards.
async fn add_jobs(
    store: &Store,
    org: OrgId,
    ids: &[CustomerId],
    per_customer: usize,
    rng: &mut StdRng,
) -> Result<usize> {
    let now = Utc::now();
    let mut jobs_written = 0;
    for part in ids.chunks(PER_TRANSACTION) {
        let mut addresses = Vec::with_capacity(part.len());
        let mut jobs = Query::insert();
        jobs.into_table("jobs").columns([
            "id",
            "org_id",
            "customer_id",
            "address_id",
            "service_type",
            "industry",
            "scheduled_start",
            "scheduled_end",
            "status",
            "currency",
            "total_minor",
            "version",
            "created_at",
            "updated_at",
        ]);
        let mut job_rows = 0;
        for customer in part {
            let address = AddressId::new();
            addresses.push(NewAddress {
                id: address,
                customer_id: *customer,
                line1: format!("{} Main St", rng.random_range(1..999)),
                city: ["Austin", "Dallas", "Houston", "Waco"][rng.random_range(0..4)].into(),
                postal_code: format!("7{:04}", rng.random_range(0..10_000)),
                is_primary: true,
                created_at: now,
            });
            for _ in 0..rng.random_range(0..=per_customer * 2) {
                let start = now + Duration::days(rng.random_range(-900..30));
                let status = match rng.random_range(0..10) {
                    0 => "cancelled",
                    _ if start > now => "scheduled",
                    _ => "completed",
                };
                jobs.values_panic([
                    Expr::val(JobId::new().0),
                    Expr::val(org.0),
                    Expr::val(customer.0),
                    Expr::val(address.0),
                    Expr::val("Maintenance"),
                    Expr::val("hvac"),
                    Expr::val(start),
                    Expr::val(start + Duration::hours(2)),
                    Expr::val(status),
                    Expr::val("USD"),
                    Expr::val(rng.random_range(5_000i64..80_000)),
                    Expr::val(1i64),
                    Expr::val(now),
                    Expr::val(now),
                ]);
                job_rows += 1;
            }
        }
        jobs_written += job_rows;
        store
            .write(work!(|c| async {
                bulk::insert_addresses(c, org, &addresses).await?;
                if job_rows > 0 {
                    c.execute(&jobs).await?;
                }
                Ok(())
            }))
            .await?;
    }
    Ok(jobs_written)
}

/// Five counts of a built-in segment, exact or capped: their times,
/// sorted, and the count.
async fn time_counts(
    store: &Store,
    org: OrgId,
    key: &'static str,
    exact: bool,
) -> Result<(Vec<Elapsed>, i64)> {
    let mut times = vec![];
    let mut n = 0;
    for _ in 0..5 {
        let started = Instant::now();
        n = store
            .read_scan(work!(|c| async {
                let s = segments::find(c, org, key).await?;
                Ok(segments::count(c, org, &s.filter, exact).await?.count)
            }))
            .await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok((times, n))
}

pub async fn run(store: &Store, args: &Segments) -> Result<()> {
    let slug = args.org.clone();
    let org = store
        .read(work!(|c| orgs::by_slug(c, &slug)))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no organisation {}; run bench generate first", args.org))?
        .id;
    let ids = customer_ids(store, org).await?;
    anyhow::ensure!(
        !ids.is_empty(),
        "organisation {} has no customers",
        args.org
    );
    let mut rng = StdRng::seed_from_u64(7);
    if args.jobs_per_customer > 0 {
        let started = Instant::now();
        let n = add_jobs(store, org, &ids, args.jobs_per_customer, &mut rng).await?;
        println!(
            "added {} addresses and {n} jobs in {:.1} s",
            ids.len(),
            started.elapsed().as_secs_f64()
        );
    }

    let started = Instant::now();
    let rebuilt = store.write(work!(|c| facts::rebuild(c, org))).await?;
    println!(
        "recompute all: facts of {rebuilt} customers in {:.0} ms (one transaction)",
        ms(started.elapsed())
    );

    println!(
        "| segment | members | exact count p50 ms | exact max ms | capped count p50 ms | capped max ms | first page of 50 ms |"
    );
    println!("|---|---|---|---|---|---|---|");
    for b in BuiltIn::ALL {
        let key = b.key();
        let (exact, n) = time_counts(store, org, key, true).await?;
        let (capped, _) = time_counts(store, org, key, false).await?;
        let started = Instant::now();
        store
            .read(work!(|c| async {
                let s = segments::find(c, org, key).await?;
                segments::members(c, org, &s.filter, None, 50).await
            }))
            .await?;
        let page = started.elapsed();
        println!(
            "| {key} | {n} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
            ms(percentile(&exact, 50.0)),
            ms(exact[exact.len() - 1]),
            ms(percentile(&capped, 50.0)),
            ms(capped[capped.len() - 1]),
            ms(page)
        );
    }

    let mut times = Vec::with_capacity(args.changes);
    for _ in 0..args.changes {
        let id = ids[rng.random_range(0..ids.len())];
        let started = Instant::now();
        store.write(work!(|c| facts::refresh(c, org, id))).await?;
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "incremental refresh of one customer's facts (own transaction), {} changes: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        times.len(),
        ms(percentile(&times, 50.0)),
        ms(percentile(&times, 99.0)),
        ms(times[times.len() - 1])
    );
    Ok(())
}
