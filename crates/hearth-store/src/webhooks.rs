//! Outbound webhook subscriptions, and the one place business events turn
//! into deliveries: [`emit`], called by `history::record` for every change.

use crate::auth::new_token;
use crate::history::Change;
use crate::orgs::now;
use crate::{Conn, Raw, Result, Row, StoreError, outbox};
use chrono::{DateTime, Utc};
use hearth_domain::outbox::Delivery;
use hearth_domain::webhooks::{CreatedWebhook, Webhook, event_for};
use hearth_domain::{OrgId, WebhookId};

fn webhook(r: &Row) -> Result<Webhook> {
    Ok(Webhook {
        id: r.get(0)?,
        url: r.get(1)?,
        events: r
            .get::<String>(2)?
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        created_at: r.get(3)?,
    })
}

pub async fn create(
    c: &mut Conn,
    org: OrgId,
    url: &str,
    events: &[String],
) -> Result<CreatedWebhook> {
    let id = WebhookId::new();
    let secret = format!("whsec_{}", new_token());
    c.execute(&Raw(
        "INSERT INTO webhooks (id, org_id, url, events, secret, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        vec![
            id.0.into(),
            org.0.into(),
            url.into(),
            events.join(" ").into(),
            secret.clone().into(),
            now().into(),
        ],
    ))
    .await?;
    Ok(CreatedWebhook {
        webhook: get(c, org, id).await?,
        secret,
    })
}

pub async fn get(c: &mut Conn, org: OrgId, id: WebhookId) -> Result<Webhook> {
    c.query_one(
        &Raw(
            "SELECT id, url, events, created_at FROM webhooks \
             WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL",
            vec![id.0.into(), org.0.into()],
        ),
        webhook,
    )
    .await
}

/// Every live subscription (an org has a handful).
pub async fn list(c: &mut Conn, org: OrgId) -> Result<Vec<Webhook>> {
    c.query(
        &Raw(
            "SELECT id, url, events, created_at FROM webhooks \
             WHERE org_id = $1 AND deleted_at IS NULL ORDER BY id",
            vec![org.0.into()],
        ),
        webhook,
    )
    .await
}

/// Stops deliveries to a subscription; its history stays readable until
/// then only through the outbox rows already written.
pub async fn delete(c: &mut Conn, org: OrgId, id: WebhookId) -> Result<()> {
    let n = c
        .execute(&Raw(
            "UPDATE webhooks SET deleted_at = $1 WHERE id = $2 AND org_id = $3 AND deleted_at IS NULL",
            vec![now().into(), id.0.into(), org.0.into()],
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The signing key of a live subscription, for the worker.
pub async fn secret(c: &mut Conn, org: OrgId, id: WebhookId) -> Result<String> {
    c.query_one(
        &Raw(
            "SELECT secret FROM webhooks WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL",
            vec![id.0.into(), org.0.into()],
        ),
        |r| r.get::<String>(0),
    )
    .await
}

/// Queues a delivery of `change` to every subscriber of its event, in the
/// transaction of the change.
pub(crate) async fn emit(
    c: &mut Conn,
    org: OrgId,
    change: &Change<'_>,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(event) = event_for(change.entity, change.action) else {
        return Ok(());
    };
    let subscribers: Vec<Webhook> = list(c, org)
        .await?
        .into_iter()
        .filter(|w| w.events.iter().any(|e| e == event))
        .collect();
    if subscribers.is_empty() {
        return Ok(());
    }
    let body = serde_json::json!({
        "id": uuid::Uuid::now_v7(),
        "event": event,
        "occurred_at": at,
        "org_id": org,
        "data": {
            "entity": change.entity,
            "entity_id": change.entity_id,
            "customer_id": change.customer_id,
            "lead_id": change.lead_id,
            "summary": change.summary,
            "fields": change.fields,
        },
    })
    .to_string();
    for w in subscribers {
        let delivery = Delivery::Webhook {
            url: w.url,
            event: event.to_string(),
            body: body.clone(),
        };
        outbox::enqueue(c, org, None, Some(w.id), &delivery).await?;
    }
    Ok(())
}
