//! Background work that no request waits for. Any number of instances may
//! run it: every job here is idempotent.

use hearth_store::{Store, auth};
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
            _ = tick.tick() => housekeeping(&store).await,
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
