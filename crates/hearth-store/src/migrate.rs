//! Schema migrations: plain SQL, one folder per engine, applied in order at
//! start-up and by `hearth migrate`.

use crate::{Engine, Raw, Result, Store};

/// One line per migration; each needs a file for both engines, or the
/// build fails.
macro_rules! migrations {
    ($($version:literal => $name:literal),* $(,)?) => {
        const SQLITE: &[(i64, &str)] =
            &[$(($version, include_str!(concat!("../migrations/sqlite/", $name, ".sql")))),*];
        const POSTGRES: &[(i64, &str)] =
            &[$(($version, include_str!(concat!("../migrations/postgres/", $name, ".sql")))),*];
    };
}

migrations! {
    1 => "0001_foundation",
    2 => "0002_profile_children",
    3 => "0003_notes_tags",
    4 => "0004_search",
    5 => "0005_leads",
    6 => "0006_jobs",
    7 => "0007_billing",
    8 => "0008_comms",
    9 => "0009_channels",
    10 => "0010_outbox",
    11 => "0011_inbound",
    12 => "0012_duplicates",
    13 => "0013_segments",
    14 => "0014_portal",
    15 => "0015_reminder_delivery",
    17 => "0017_live_contacts",
    18 => "0018_lead_places",
    19 => "0019_lead_imports",
    20 => "0020_import_runs",
    21 => "0021_booking_facts",
    22 => "0022_duplicate_keys",
}

/// Work a migration needs done in Rust after its SQL, in its transaction.
async fn after(c: &mut crate::Conn, version: i64) -> Result<()> {
    match version {
        // Facts of the customers that exist already, by the same query
        // that keeps them current.
        13 => {
            crate::segments::facts::rebuild_all(c).await?;
        }
        22 => crate::duplicates::rekey_all(c).await?,
        _ => {}
    }
    Ok(())
}

/// Applies the migrations not yet applied; returns how many ran. Safe to
/// run from several instances at once: PostgreSQL serialises them on an
/// advisory lock, SQLite on its write lock.
pub async fn migrate(store: &Store) -> Result<usize> {
    let engine = store.engine();
    store
        .write(move |c| {
            Box::pin(async move {
                if engine == Engine::Postgres {
                    c.batch("SELECT pg_advisory_xact_lock(7243012)").await?;
                }
                c.batch(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)",
                )
                .await?;
                let applied = c
                    .query(&Raw("SELECT version FROM schema_migrations", vec![]), |r| {
                        r.get::<i64>(0)
                    })
                    .await?;
                let all = if engine == Engine::Sqlite {
                    SQLITE
                } else {
                    POSTGRES
                };
                let mut ran = 0;
                for (version, sql) in all.iter().filter(|(v, _)| !applied.contains(v)) {
                    c.batch(sql).await?;
                    after(c, *version).await?;
                    c.execute(&Raw(
                        "INSERT INTO schema_migrations (version) VALUES ($1)",
                        vec![(*version).into()],
                    ))
                    .await?;
                    ran += 1;
                }
                Ok(ran)
            })
        })
        .await
}
