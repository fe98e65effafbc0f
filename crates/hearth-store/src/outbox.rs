//! The transactional outbox. Whatever must leave Hearth (email, SMS, webhook
//! deliveries) is enqueued in the transaction of the change that caused it,
//! so a message exists exactly when its cause committed. Workers claim due
//! rows under a lease, deliver them, and report back in a new transaction;
//! a worker that dies mid-delivery loses its rows when the lease ends.

use crate::history::{self, Change};
use crate::orgs::now;
use crate::page::{self, Page};
use crate::{Conn, Engine, Raw, Result, Row, channels};
use chrono::{DateTime, Utc};
use hearth_domain::channels::Channel as HealthChannel;
use hearth_domain::comms::CommStatus;
use hearth_domain::history::{Actor, FieldChange};
use hearth_domain::outbox::{ChannelStatus, Claimed, Delivery, OutboxStatus, QueueCounts};
use hearth_domain::webhooks::WebhookDelivery;
use hearth_domain::{CommunicationId, CustomerId, OrgId, OutboxId, WebhookId};
use std::time::Duration;
use uuid::Uuid;

/// Adds a delivery to the outbox, due now. Call it inside the transaction
/// of the change that causes the message.
pub async fn enqueue(
    c: &mut Conn,
    org: OrgId,
    communication: Option<CommunicationId>,
    webhook: Option<WebhookId>,
    delivery: &Delivery,
) -> Result<OutboxId> {
    let id = OutboxId::new();
    let at = now();
    let payload = serde_json::to_string(delivery).expect("a delivery serialises");
    c.execute(&Raw(
        "INSERT INTO outbox (id, org_id, kind, communication_id, webhook_id, payload, status, \
         attempts, next_attempt_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7, $7)",
        vec![
            id.0.into(),
            org.0.into(),
            delivery.kind().into(),
            communication.map(|c| c.0).into(),
            webhook.map(|w| w.0).into(),
            payload.into(),
            at.into(),
        ],
    ))
    .await?;
    Ok(id)
}

/// Claims up to `limit` due rows for `lease`. On PostgreSQL rows another
/// worker holds locked are skipped; SQLite has one writer, so the claim is
/// exclusive already. A row whose payload cannot be read is failed at once
/// rather than left to block the queue.
pub async fn claim(c: &mut Conn, limit: u64, lease: Duration) -> Result<Vec<Claimed>> {
    let at = now();
    let until = at + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
    let token = Uuid::now_v7();
    // PostgreSQL: rows another worker holds are skipped, not waited for.
    macro_rules! claim_sql {
        ($lock:literal) => {
            concat!(
                "UPDATE outbox SET locked_until = $1, claim = $2, attempts = attempts + 1, updated_at = $3 \
                 WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $3 \
                 AND (locked_until IS NULL OR locked_until <= $3) ORDER BY next_attempt_at LIMIT $4",
                $lock,
                ") RETURNING id, org_id, communication_id, webhook_id, payload, attempts"
            )
        };
    }
    let sql = match c.engine() {
        Engine::Postgres => claim_sql!(" FOR UPDATE SKIP LOCKED"),
        Engine::Sqlite => claim_sql!(""),
    };
    let rows = c
        .query(
            &Raw(
                sql,
                vec![
                    until.into(),
                    token.into(),
                    at.into(),
                    i64::try_from(limit).unwrap_or(i64::MAX).into(),
                ],
            ),
            |r: &Row| {
                Ok((
                    r.get::<OutboxId>(0)?,
                    r.get::<OrgId>(1)?,
                    r.get::<Option<CommunicationId>>(2)?,
                    r.get::<Option<WebhookId>>(3)?,
                    r.get::<String>(4)?,
                    r.get::<i64>(5)?,
                ))
            },
        )
        .await?;
    let mut claimed = Vec::with_capacity(rows.len());
    for (id, org_id, communication_id, webhook_id, payload, attempts) in rows {
        let row = Claimed {
            id,
            org_id,
            communication_id,
            webhook_id,
            // Replaced below when the payload reads.
            delivery: Delivery::Sms {
                to: String::new(),
                body: String::new(),
            },
            attempts,
            claim: token,
        };
        match serde_json::from_str::<Delivery>(&payload) {
            Ok(delivery) => claimed.push(Claimed { delivery, ..row }),
            Err(e) => {
                let error = format!("unreadable payload: {e}");
                tracing::error!(outbox = %id, %error, "outbox row dropped as a dead letter");
                finish(c, &row, "unknown", Err((&error, None))).await?;
            }
        }
    }
    Ok(claimed)
}

/// The health channel a delivery kind reports on.
fn health_channel(kind: &str) -> Option<HealthChannel> {
    match kind {
        "email" => Some(HealthChannel::Smtp),
        "sms" => Some(HealthChannel::Sms),
        "webhook" => Some(HealthChannel::Webhooks),
        _ => None,
    }
}

/// Reports a delivered row. False when the claim had lapsed and another
/// worker owns the row now (nothing is changed then).
pub async fn sent(c: &mut Conn, row: &Claimed) -> Result<bool> {
    finish(c, row, row.delivery.kind(), Ok(())).await
}

/// Reports a failed attempt: retried at `retry_at`, or a dead letter when
/// `None`. False when the claim had lapsed.
pub async fn failed(
    c: &mut Conn,
    row: &Claimed,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<bool> {
    finish(c, row, row.delivery.kind(), Err((error, retry_at))).await
}

async fn finish(
    c: &mut Conn,
    row: &Claimed,
    kind: &str,
    outcome: std::result::Result<(), (&str, Option<DateTime<Utc>>)>,
) -> Result<bool> {
    let at = now();
    let (status, next, error) = match outcome {
        Ok(()) => (OutboxStatus::Sent, None, None),
        Err((e, Some(retry))) => (OutboxStatus::Pending, Some(retry), Some(e)),
        Err((e, None)) => (OutboxStatus::Failed, None, Some(e)),
    };
    let changed = c
        .execute(&Raw(
            "UPDATE outbox SET status = $1, next_attempt_at = COALESCE($2, next_attempt_at), \
             locked_until = NULL, last_error = $3, updated_at = $4, \
             sent_at = CASE WHEN $1 = 'sent' THEN $4 ELSE sent_at END \
             WHERE id = $5 AND claim = $6 AND status = 'pending'",
            vec![
                status.as_str().into(),
                next.into(),
                error.map(str::to_string).into(),
                at.into(),
                row.id.0.into(),
                row.claim.into(),
            ],
        ))
        .await?;
    if changed == 0 {
        return Ok(false);
    }
    if let Some(channel) = health_channel(kind) {
        channels::record(c, row.org_id, channel, error.map_or(Ok(()), Err)).await?;
    }
    if let Some(comm) = row.communication_id {
        let comm_status = match status {
            OutboxStatus::Sent => Some(CommStatus::Sent),
            OutboxStatus::Failed => Some(CommStatus::Failed),
            OutboxStatus::Pending => None,
        };
        communication_outcome(c, row.org_id, comm, comm_status, error).await?;
    }
    Ok(true)
}

/// Shows a delivery outcome on its communication; a final one (sent,
/// failed) also on the customer's timeline and in the audit log.
async fn communication_outcome(
    c: &mut Conn,
    org: OrgId,
    id: CommunicationId,
    status: Option<CommStatus>,
    error: Option<&str>,
) -> Result<()> {
    let before = c
        .query_opt(
            &Raw(
                "UPDATE communications SET status = COALESCE($1, status), delivery_error = $2 \
                 WHERE id = $3 AND org_id = $4 RETURNING customer_id, lead_id, channel",
                vec![
                    status.map(|s| s.as_str()).into(),
                    error.map(str::to_string).into(),
                    id.0.into(),
                    org.0.into(),
                ],
            ),
            |r| {
                Ok((
                    r.get::<Option<CustomerId>>(0)?,
                    r.get::<Option<hearth_domain::LeadId>>(1)?,
                    r.get::<String>(2)?,
                ))
            },
        )
        .await?;
    let (Some(status), Some((customer_id, lead_id, channel))) = (status, before) else {
        return Ok(());
    };
    let label = if channel == "sms" { "SMS" } else { "Email" };
    let summary = match (status, error) {
        (CommStatus::Failed, Some(e)) => format!("{label} could not be delivered: {e}"),
        _ => format!("{label} sent"),
    };
    let fields = [FieldChange {
        field: "status".into(),
        before: CommStatus::Queued.as_str().into(),
        after: status.as_str().into(),
    }];
    history::record(
        c,
        org,
        &Actor::system("outbox"),
        Change {
            entity: "communication",
            entity_id: id.0,
            customer_id,
            lead_id,
            action: "delivery",
            kind: "communication",
            summary,
            fields: &fields,
        },
    )
    .await
}

/// Every channel with its queue: of one org, with the last error; or of
/// the whole installation (for `/healthz`, which anyone may read), latest
/// outcomes only and no error text.
pub async fn channel_status(c: &mut Conn, org: Option<OrgId>) -> Result<Vec<ChannelStatus>> {
    let health = match org {
        Some(org) => channels::list(c, org).await?,
        None => channels::latest_everywhere(c).await?,
    };
    let queues = counts(c, org).await?;
    Ok(health
        .into_iter()
        .map(|h| {
            let queue = queues
                .iter()
                .find(|(ch, _)| *ch == h.channel)
                .map(|(_, q)| q.clone())
                .unwrap_or_default();
            ChannelStatus::new(h, queue)
        })
        .collect())
}

/// Undelivered and dead rows per delivery kind, of one org or of all.
async fn counts(c: &mut Conn, org: Option<OrgId>) -> Result<Vec<(HealthChannel, QueueCounts)>> {
    let query = match org {
        Some(org) => Raw(
            "SELECT kind, status, COUNT(*) FROM outbox \
             WHERE org_id = $1 AND status <> 'sent' GROUP BY kind, status",
            vec![org.0.into()],
        ),
        None => Raw(
            "SELECT kind, status, COUNT(*) FROM outbox WHERE status <> 'sent' GROUP BY kind, status",
            vec![],
        ),
    };
    let rows = c
        .query(&query, |r| {
            Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<i64>(2)?))
        })
        .await?;
    let mut out: Vec<(HealthChannel, QueueCounts)> = Vec::new();
    for (kind, status, n) in rows {
        let Some(channel) = health_channel(&kind) else {
            continue;
        };
        let i = match out.iter().position(|(ch, _)| *ch == channel) {
            Some(i) => i,
            None => {
                out.push((channel, QueueCounts::default()));
                out.len() - 1
            }
        };
        match OutboxStatus::parse(&status) {
            Some(OutboxStatus::Pending) => out[i].1.pending += n,
            Some(OutboxStatus::Failed) => out[i].1.failed += n,
            _ => {}
        }
    }
    Ok(out)
}

fn delivery(r: &Row) -> Result<WebhookDelivery> {
    let payload: String = r.get(1)?;
    let status: String = r.get(2)?;
    Ok(WebhookDelivery {
        id: r.get(0)?,
        event: match serde_json::from_str::<Delivery>(&payload) {
            Ok(Delivery::Webhook { event, .. }) => event,
            _ => String::new(),
        },
        status: OutboxStatus::parse(&status)
            .ok_or_else(|| crate::StoreError::decode(2, format!("unknown status {status:?}")))?,
        attempts: r.get(3)?,
        last_error: r.get(4)?,
        created_at: r.get(5)?,
        sent_at: r.get(6)?,
    })
}

/// A subscription's deliveries, newest first.
pub async fn webhook_deliveries(
    c: &mut Conn,
    org: OrgId,
    webhook: WebhookId,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<WebhookDelivery>> {
    // Newest first: the max id sorts after every UUIDv7.
    let before = crate::parent::cursor::<Uuid>(cursor)?.unwrap_or(Uuid::max());
    let rows = c
        .query(
            &Raw(
                "SELECT id, payload, status, attempts, last_error, created_at, sent_at FROM outbox \
                 WHERE org_id = $1 AND webhook_id = $2 AND id < $3 \
                 ORDER BY id DESC LIMIT $4",
                vec![
                    org.0.into(),
                    webhook.0.into(),
                    before.into(),
                    i64::try_from(limit + 1).unwrap_or(i64::MAX).into(),
                ],
            ),
            delivery,
        )
        .await?;
    Ok(page::finish(rows, limit, |d| d.id.0))
}
