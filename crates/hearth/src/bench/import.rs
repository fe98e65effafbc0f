//! `hearth bench import`: measures CSV import (DESIGN.md §6) through the
//! real path — the same store calls as `hearth import` and the API — on a
//! synthetic file: names skewed like real ones, phones typed in mixed
//! formats, addresses, tags, and ~2 % rows that repeat an existing
//! customer's phone in another format (so dedupe has work to do). Each run
//! gets a fresh organisation with `existing` customers, so runs compare.

use super::names::{FIRST, LAST, PLACES, TRADES};
use super::{person, retyped, skewed, written_phone};
use anyhow::{Context, Result};
use hearth_domain::history::Actor;
use hearth_domain::import::Kind;
use hearth_domain::tags::TagInput;
use hearth_domain::{CustomerId, OrgId};
use hearth_store::bulk::{self, NewCustomer};
use hearth_store::imports::{self, Options};
use hearth_store::{Store, orgs, tags, work};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub struct ImportBench {
    pub rows: usize,
    pub kind: Kind,
    /// Customers the organisation has before the import.
    pub existing: usize,
    pub seed: u64,
    /// Where the generated file goes.
    pub file: PathBuf,
}

/// Existing customers written per transaction (untimed set-up).
const PER_TRANSACTION: usize = 5_000;
/// Rows that repeat an existing customer.
const DUPLICATES: f64 = 0.02;

pub async fn run(store: &Store, args: &ImportBench) -> Result<()> {
    let mut rng = StdRng::seed_from_u64(args.seed);
    let slug = format!("import-{}", uuid::Uuid::now_v7().simple());
    let actor = Actor::system("bench import");
    let org = {
        let (slug, actor) = (slug.clone(), actor.clone());
        store
            .write(work!(|c| async {
                let org = orgs::create(c, &slug, "Import bench", "US").await?;
                let vip = TagInput {
                    name: "VIP".into(),
                    colour: None,
                };
                tags::create(c, org.id, &actor, &vip).await?;
                Ok(org.id)
            }))
            .await?
    };
    let phones = seed_customers(store, &mut rng, org, args.existing).await?;
    write_file(&args.file, args, &mut rng, &phones)
        .with_context(|| format!("writing {}", args.file.display()))?;
    let size = std::fs::metadata(&args.file)?.len();
    println!(
        "org {slug}: {} existing customers; {} {} rows in {} ({:.1} MiB)",
        args.existing,
        args.rows,
        args.kind.as_str(),
        args.file.display(),
        size as f64 / (1 << 20) as f64
    );
    let options = Options {
        kind: args.kind,
        mapping: Default::default(),
        region: "US".into(),
    };
    let open = || -> Result<_> {
        Ok(std::io::BufReader::with_capacity(
            1 << 20,
            std::fs::File::open(&args.file)?,
        ))
    };

    let reader = open()?;
    let started = Instant::now();
    let check_options = options.clone();
    let report = store
        .read(work!(|c| imports::check(
            c,
            org,
            reader,
            &check_options,
            &|_: imports::Progress| {}
        )))
        .await?;
    let secs = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        report.problems.is_empty(),
        "the generated file has problems: {:?}",
        &report.problems[..report.problems.len().min(5)]
    );
    println!(
        "dry run: {} rows ({} importable, {} skipped) in {secs:.2} s: {:.0} rows/s",
        report.rows,
        report.importable,
        report.skipped.len(),
        report.rows as f64 / secs
    );

    let reader = open()?;
    let started = Instant::now();
    let (import, report) = store
        .write(work!(|c| imports::run(
            c,
            org,
            &actor,
            reader,
            &options,
            &|_: imports::Progress| {}
        )))
        .await?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "run: {} rows ({} imported, {} skipped) in {secs:.2} s: {:.0} rows/s; import {}",
        report.rows,
        import.rows_imported,
        import.rows_skipped,
        report.rows as f64 / secs,
        import.id
    );
    Ok(())
}

/// Writes `count` customers and returns their phones (E.164).
async fn seed_customers(
    store: &Store,
    rng: &mut StdRng,
    org: OrgId,
    count: usize,
) -> Result<Vec<String>> {
    let mut phones = Vec::with_capacity(count);
    let mut done = 0;
    while done < count {
        let n = PER_TRANSACTION.min(count - done);
        let customers: Vec<NewCustomer> = (0..n)
            .map(|i| NewCustomer {
                id: CustomerId::new(),
                fields: person(rng, done + i),
                created_at: chrono::Utc::now(),
            })
            .collect();
        phones.extend(customers.iter().filter_map(|c| c.fields.phone.clone()));
        store
            .write(work!(|c| bulk::insert_customers(c, org, &customers)))
            .await?;
        done += n;
    }
    Ok(phones)
}

fn write_file(
    path: &Path,
    args: &ImportBench,
    rng: &mut StdRng,
    existing: &[String],
) -> Result<()> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    let file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut csv = csv::Writer::from_writer(file);
    match args.kind {
        Kind::Customers => csv.write_record([
            "first_name",
            "last_name",
            "business_name",
            "email",
            "phone",
            "address",
            "city",
            "postal_code",
            "tags",
        ])?,
        Kind::Leads => csv.write_record([
            "name", "business", "email", "phone", "value", "source", "stage", "tags", "notes",
        ])?,
    }
    for n in 0..args.rows {
        let first = FIRST[skewed(rng, FIRST.len())];
        let last = LAST[skewed(rng, LAST.len())];
        let phone = match existing.len() {
            len if len > 0 && rng.random_bool(DUPLICATES) => {
                retyped(&existing[rng.random_range(0..len)])
            }
            _ => written_phone(rng).0,
        };
        let email = format!("{}.{}{n}@example.com", first, last)
            .to_lowercase()
            .replace('\'', "");
        let business = if rng.random_bool(0.1) {
            format!(
                "{} {}",
                PLACES[rng.random_range(0..PLACES.len())],
                TRADES[rng.random_range(0..TRADES.len())]
            )
        } else {
            String::new()
        };
        let tags = if rng.random_bool(0.1) { "VIP" } else { "" };
        match args.kind {
            Kind::Customers => {
                let has_address = rng.random_bool(0.7);
                let address = |s: String| if has_address { s } else { String::new() };
                csv.write_record([
                    first,
                    last,
                    &business,
                    &email,
                    &phone,
                    &address(format!("{} Oak St", rng.random_range(1..9999))),
                    &address("Austin".into()),
                    &address(format!("787{:02}", rng.random_range(0..100))),
                    tags,
                ])?
            }
            Kind::Leads => {
                let stage = ["", "", "Contacted", "Quoted"][rng.random_range(0..4)];
                let source = ["web form", "phone", "referral", "manual"][rng.random_range(0..4)];
                csv.write_record([
                    &format!("{first} {last}"),
                    &business,
                    &email,
                    &phone,
                    &format!("{}.00", rng.random_range(100..20_000)),
                    source,
                    stage,
                    tags,
                    "Asked for a quote",
                ])?
            }
        }
    }
    csv.into_inner()
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .flush()?;
    Ok(())
}
