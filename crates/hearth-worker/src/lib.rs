//! Background work that no request waits for. Any number of instances may
//! run it: every job here is idempotent.

mod delivery;

pub use delivery::{SmsConfig, SmtpConfig, TlsMode};

use delivery::Deliverer;
use hearth_domain::outbox::RetryPolicy;
use hearth_store::{Store, auth, outbox, reminders, work};
use std::time::Duration;

const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(300);
/// Leads rescored per transaction, so a big backlog never holds the writer long.
const RESCORE_BATCH: u64 = 200;

/// What the worker delivers through and how patiently.
#[derive(Clone, Debug)]
pub struct Config {
    /// Email is queued without it, and fails visibly until it is set.
    pub smtp: Option<SmtpConfig>,
    pub sms: Option<SmsConfig>,
    /// Where recipients reach Hearth: the base of tracking pixels and links.
    pub public_url: String,
    pub retry: RetryPolicy,
    /// How long a claimed row is this worker's; after it, another worker
    /// retries the row (the delivery timeouts are shorter).
    pub lease: Duration,
    /// How often the outbox is looked at when it was empty.
    pub poll: Duration,
    /// Rows claimed per transaction.
    pub batch: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            smtp: None,
            sms: None,
            public_url: "http://127.0.0.1:8080".into(),
            retry: RetryPolicy::default(),
            lease: Duration::from_secs(120),
            poll: Duration::from_secs(1),
            batch: 20,
        }
    }
}

/// Runs until `shutdown` resolves. A delivery under way when it does is
/// dropped; its row is retried after the lease.
pub async fn run(store: Store, config: Config, shutdown: impl std::future::Future<Output = ()>) {
    tokio::pin!(shutdown);
    let deliverer = Deliverer::new(config.smtp.as_ref(), config.sms.clone(), &config.public_url);
    let mut tick = tokio::time::interval(HOUSEKEEPING_EVERY);
    let mut poll = tokio::time::interval(config.poll);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tick.tick() => {
                housekeeping(&store).await;
                if let Err(e) = remind(&store).await {
                    tracing::warn!(error = %e, "reminder pass failed");
                }
            }
            _ = poll.tick() => drain(&store, &config, &deliverer).await,
        }
    }
}

/// Delivers due outbox rows until none is left.
async fn drain(store: &Store, config: &Config, deliverer: &Deliverer) {
    loop {
        let (batch, lease) = (config.batch, config.lease);
        let rows = match store.write(work!(|c| outbox::claim(c, batch, lease))).await {
            Ok(rows) if rows.is_empty() => return,
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "claiming outbox rows failed");
                return;
            }
        };
        for row in rows {
            let outcome = deliverer.deliver(store, &row).await;
            let now = hearth_store::orgs::now();
            let (id, r) = (row.id, row.clone());
            let reported = match &outcome {
                Ok(()) => store.write(work!(|c| outbox::sent(c, &r))).await,
                Err(f) => {
                    let retry_at = if f.permanent {
                        None
                    } else {
                        config.retry.next_attempt(row.attempts, now)
                    };
                    if retry_at.is_none() {
                        tracing::warn!(outbox = %row.id, kind = row.delivery.kind(), error = %f.message, "delivery failed for good");
                    }
                    let message = f.message.clone();
                    store
                        .write(work!(|c| outbox::failed(c, &r, &message, retry_at)))
                        .await
                }
            };
            match reported {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(outbox = %id, "the claim lapsed during delivery; another worker owns the row")
                }
                Err(e) => {
                    tracing::warn!(outbox = %id, error = %e, "recording a delivery outcome failed")
                }
            }
        }
    }
}

/// Drops sessions, login-failure records and portal links past their lifetime, keeps the
/// query planner's statistics current, and refreshes decayed lead scores.
async fn housekeeping(store: &Store) {
    if let Err(e) = store.optimize(false).await {
        tracing::warn!(error = %e, "refreshing planner statistics failed");
    }
    match store
        .write(|c| {
            Box::pin(async move {
                Ok(auth::purge_expired(c).await? + hearth_store::portal::purge_expired(c).await?)
            })
        })
        .await
    {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            removed = n,
            "expired sessions, login failures and portal links removed"
        ),
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
