//! A customer read through Hearth's store beside the same read on the raw
//! driver, so the cost of the abstraction stays visible (README,
//! "Architecture"). `cargo bench -p hearth-store`; set
//! HEARTH_TEST_POSTGRES_URL to include PostgreSQL.

use hearth_domain::history::Actor;
use hearth_domain::{CustomerId, OrgId};
use hearth_store::{Store, customers, orgs, work};
use std::time::{Duration, Instant};

const CUSTOMERS: usize = 20_000;
const READS: usize = 20_000;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.db");
    let store = Store::open_sqlite(&path, false).expect("open");
    let (org, ids) = rt.block_on(fill(&store));
    println!("customer point read, {READS} reads of {CUSTOMERS} customers, one at a time");
    report(
        "SQLite  rusqlite, raw prepared statement",
        raw_sqlite(&path, org, &ids),
    );
    report(
        "SQLite  Hearth store (one spawn_blocking hop)",
        rt.block_on(via_store(&store, org, &ids)),
    );
    if let Ok(url) = std::env::var("HEARTH_TEST_POSTGRES_URL") {
        let schema = format!("bench_{}", uuid::Uuid::now_v7().simple());
        let scoped = rt.block_on(async {
            let admin = Store::connect_postgres(&url, 1).await.expect("connect");
            let sql = format!("CREATE SCHEMA {schema}");
            admin
                .write(move |c| Box::pin(async move { c.batch(&sql).await }))
                .await
                .expect("schema");
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}options=-csearch_path%3D{schema}")
        });
        let pg = rt
            .block_on(Store::connect_postgres(&scoped, 4))
            .expect("connect");
        let (org, ids) = rt.block_on(fill(&pg));
        report(
            "PostgreSQL  tokio-postgres, raw prepared statement",
            rt.block_on(raw_postgres(&scoped, org, &ids)),
        );
        report(
            "PostgreSQL  Hearth store",
            rt.block_on(via_store(&pg, org, &ids)),
        );
        rt.block_on(async {
            let admin = Store::connect_postgres(&url, 1).await.expect("connect");
            let sql = format!("DROP SCHEMA {schema} CASCADE");
            admin
                .write(move |c| Box::pin(async move { c.batch(&sql).await }))
                .await
                .expect("drop");
        });
    }
}

async fn fill(store: &Store) -> (OrgId, Vec<CustomerId>) {
    hearth_store::migrate(store).await.expect("migrate");
    store
        .write(work!(|c| async {
            let org = orgs::create(c, "bench", "Bench", "US").await?;
            let actor = Actor::system("bench");
            let mut ids = Vec::with_capacity(CUSTOMERS);
            for i in 0..CUSTOMERS {
                let input = hearth_domain::customers::CustomerInput {
                    first_name: Some(format!("First{i}")),
                    last_name: Some(format!("Last{}", i % 997)),
                    phone: Some(format!("512 {:03} {:04}", 200 + i % 700, i % 10_000)),
                    ..Default::default()
                };
                ids.push(customers::create(c, org.id, "US", &actor, &input).await?.id);
            }
            Ok((org.id, ids))
        }))
        .await
        .expect("fill")
}

const SELECT: &str = "SELECT id, first_name, last_name, business_name, email, phone, preferred_contact_method, \
                      customer_since, version, created_at, updated_at, deleted_at FROM customers \
                      WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL";

fn raw_sqlite(path: &std::path::Path, org: OrgId, ids: &[CustomerId]) -> Vec<Duration> {
    let conn = rusqlite::Connection::open(path).expect("open");
    let mut stmt = conn.prepare_cached(SELECT).expect("prepare");
    (0..READS)
        .map(|i| {
            let id = ids[i * 7919 % ids.len()];
            let start = Instant::now();
            let name: Option<String> = stmt
                .query_row(
                    rusqlite::params![id.0.as_bytes().as_slice(), org.0.as_bytes().as_slice()],
                    |r| r.get(1),
                )
                .expect("row");
            assert!(name.is_some());
            start.elapsed()
        })
        .collect()
}

async fn raw_postgres(url: &str, org: OrgId, ids: &[CustomerId]) -> Vec<Duration> {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    let stmt = client.prepare(SELECT).await.expect("prepare");
    let mut out = Vec::with_capacity(READS);
    for i in 0..READS {
        let id = ids[i * 7919 % ids.len()];
        let start = Instant::now();
        let row = client
            .query_one(&stmt, &[&id.0, &org.0])
            .await
            .expect("row");
        let name: Option<String> = row.get(1);
        assert!(name.is_some());
        out.push(start.elapsed());
    }
    out
}

async fn via_store(store: &Store, org: OrgId, ids: &[CustomerId]) -> Vec<Duration> {
    let mut out = Vec::with_capacity(READS);
    for i in 0..READS {
        let id = ids[i * 7919 % ids.len()];
        let start = Instant::now();
        let customer = store
            .read(work!(|c| customers::get(c, org, id, false)))
            .await
            .expect("read");
        assert_eq!(customer.id, id);
        out.push(start.elapsed());
    }
    out
}

fn report(label: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| {
        times[((times.len() as f64 * q) as usize).min(times.len() - 1)].as_secs_f64() * 1e6
    };
    println!(
        "{label:<52} p50 {:>6.1} µs   p99 {:>6.1} µs",
        at(0.50),
        at(0.99)
    );
}
