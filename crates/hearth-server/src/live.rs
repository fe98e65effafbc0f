//! Live events for open pages ("who is calling"), fanned out to every
//! server instance: in-process on SQLite; through PostgreSQL's
//! `NOTIFY hearth_events`, which every instance LISTENs to and re-broadcasts
//! locally, when several instances share a database.

use hearth_domain::OrgId;
use hearth_domain::jobs::Job;
use hearth_store::{Engine, Raw, Store};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::sync::broadcast;

/// The PostgreSQL channel every instance listens to.
pub const CHANNEL: &str = "hearth_events";
/// Events kept for a subscriber that falls behind; beyond this it skips.
const BUFFER: usize = 1024;
/// PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.
const MAX_PAYLOAD: usize = 7900;

/// Something a page of one organisation may want to show at once.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LiveEvent {
    pub org_id: OrgId,
    /// The SSE event name, e.g. `incoming_call`.
    pub kind: String,
    pub data: serde_json::Value,
}

/// Set when the server begins to shut down, so open event streams end and
/// a graceful shutdown does not wait for pages that never hang up. One per
/// process: only tests run several servers in one process, and they never
/// shut down.
static CLOSING: std::sync::LazyLock<tokio::sync::watch::Sender<bool>> =
    std::sync::LazyLock::new(|| tokio::sync::watch::channel(false).0);

/// Ends every live event stream of this process (see [`crate::serve`]).
pub fn close_streams() {
    CLOSING.send_replace(true);
}

/// Resolves when the server is shutting down.
pub async fn closing() {
    let mut rx = CLOSING.subscribe();
    let _ = rx.wait_for(|closing| *closing).await;
}

#[derive(Clone)]
pub struct LiveBus {
    tx: broadcast::Sender<Arc<LiveEvent>>,
    store: Store,
}

impl LiveBus {
    /// Starts the bus; on PostgreSQL also the task that relays
    /// notifications from all instances (this one included) to local
    /// subscribers. Needs a Tokio runtime.
    pub fn start(store: Store) -> LiveBus {
        let (tx, _) = broadcast::channel(BUFFER);
        if let Some(mut notifications) = store.listen(CHANNEL) {
            let local = tx.clone();
            tokio::spawn(async move {
                while let Some(payload) = notifications.recv().await {
                    match serde_json::from_str::<LiveEvent>(&payload) {
                        Ok(event) => {
                            let _ = local.send(Arc::new(event));
                        }
                        Err(e) => tracing::warn!(error = %e, "ignoring a malformed live event"),
                    }
                }
            });
        }
        LiveBus { tx, store }
    }

    /// Delivers an event to the subscribers of its organisation on every
    /// instance. Nobody listening is not an error.
    pub async fn publish(&self, event: LiveEvent) -> hearth_store::Result<()> {
        if self.store.engine() == Engine::Sqlite {
            let _ = self.tx.send(Arc::new(event));
            return Ok(());
        }
        let payload = serde_json::to_string(&event).unwrap_or_default();
        if payload.len() > MAX_PAYLOAD {
            tracing::warn!(kind = %event.kind, bytes = payload.len(), "live event too large; not sent");
            return Ok(());
        }
        // A read runs outside a transaction, so the notification leaves at once.
        self.store
            .read(move |c| {
                Box::pin(async move {
                    c.execute(&Raw(
                        "SELECT pg_notify('hearth_events', $1)",
                        vec![payload.into()],
                    ))
                    .await
                    .map(drop)
                })
            })
            .await
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.tx.subscribe()
    }
}

/// The SSE event name of a job's status change.
pub const JOB_STATUS: &str = "job_status";

/// Tells open pages (a customer's portal among them) that a job moved on.
/// A failure to notify is logged; the change itself has committed.
pub async fn job_status_changed(bus: &LiveBus, org: OrgId, job: &Job) {
    let event = LiveEvent {
        org_id: org,
        kind: JOB_STATUS.to_string(),
        data: serde_json::json!({
            "job_id": job.id,
            "customer_id": job.customer_id,
            "status": job.status,
        }),
    };
    if let Err(e) = bus.publish(event).await {
        tracing::warn!(error = %e, job = %job.id, "could not publish a job status change");
    }
}

/// The events `wanted` picks, as Server-Sent Events, until the server
/// shuts down. A page too slow to keep up misses a few, no more.
pub fn sse_stream<W: Fn(&LiveEvent) -> bool + Send + 'static>(
    bus: &LiveBus,
    wanted: W,
) -> impl futures::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>> + use<W>
{
    use tokio::sync::broadcast::error::RecvError;
    futures::stream::unfold((bus.subscribe(), wanted), |(mut rx, wanted)| async move {
        loop {
            let received = tokio::select! {
                received = rx.recv() => received,
                () = closing() => return None,
            };
            match received {
                Ok(event) if wanted(&event) => {
                    let sse = axum::response::sse::Event::default()
                        .event(event.kind.as_str())
                        .data(event.data.to_string());
                    return Some((Ok(sse), (rx, wanted)));
                }
                Ok(_) => {}
                Err(RecvError::Lagged(skipped)) => {
                    tracing::debug!(skipped, "live subscriber fell behind");
                }
                Err(RecvError::Closed) => return None,
            }
        }
    })
}
