//! Background work that no request waits for. Any number of instances may
//! run it: every job here is idempotent.

use hearth_store::{Store, auth, reminders};
use std::time::Duration;

const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(300);
/// Leads rescored per transaction, so a big backlog never holds the writer long.
const RESCORE_BATCH: u64 = 200;

/// Runs until `shutdown` resolves.
pub async fn run(store: Store, shutdown: impl std::future::Future<Output = ()>) {
    tokio::pin!(shutdown);
    let mut tick = tokio::time::interval(HOUSEKEEPING_EVERY);
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tick.tick() => {
                housekeeping(&store).await;
                if let Err(e) = remind(&store).await {
                    tracing::warn!(error = %e, "reminder pass failed");
                }
            }
        }
    }
}

/// Drops sessions and login-failure records past their lifetime, keeps the
/// query planner's statistics current, and refreshes decayed lead scores.
async fn housekeeping(store: &Store) {
    if let Err(e) = store.optimize(false).await {
        tracing::warn!(error = %e, "refreshing planner statistics failed");
    }
    match store.write(|c| Box::pin(auth::purge_expired(c))).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(removed = n, "expired sessions and login failures removed"),
        Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
    }
    // Lead scores decay with time; refresh old ones in small transactions.
    loop {
        match store
            .write(|c| {
                Box::pin(hearth_store::leads::signals::rescore_stale(
                    c,
                    RESCORE_BATCH,
                ))
            })
            .await
        {
            Ok(n) if n == RESCORE_BATCH => continue,
            Ok(_) => break,
            Err(e) => {
                tracing::warn!(error = %e, "lead rescoring failed");
                break;
            }
        }
    }
}

/// The reminder pass: raises every organisation's due reminders (warranties
/// ending, memberships renewing, follow-ups due), one transaction per
/// organisation. Safe to run as often and on as many workers as you like:
/// the database keeps one reminder per event. Returns how many are new.
pub async fn remind(store: &Store) -> hearth_store::Result<u64> {
    let orgs = store.read(|c| Box::pin(reminders::orgs(c))).await?;
    let today = chrono::Utc::now().date_naive();
    let mut raised = 0;
    for org in orgs {
        raised += store
            .write(move |c| Box::pin(reminders::raise_due(c, org, today)))
            .await?;
    }
    if raised > 0 {
        tracing::info!(raised, "reminders raised");
    }
    Ok(raised)
}
