//! Outbound webhook subscriptions, and the one place business events turn
//! into deliveries: [`emit`], called by `history::record` for every change.

use crate::auth::new_token;
use crate::history::Change;
use crate::orgs::now;
use crate::{Conn, Raw, Result, Row, StoreError, outbox};
use chrono::{DateTime, Utc};
use hearth_domain::outbox::Delivery;
use hearth_domain::webhooks::{CreatedWebhook, Webhook, WebhookPatch, event_for};
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
        active: r.get(3)?,
        version: r.get(4)?,
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, url, events, active, version, created_at, updated_at FROM webhooks ",
            $rest
        )
    };
}

fn new_secret() -> String {
    format!("whsec_{}", new_token())
}

pub async fn create(
    c: &mut Conn,
    org: OrgId,
    url: &str,
    events: &[String],
) -> Result<CreatedWebhook> {
    let id = WebhookId::new();
    let secret = new_secret();
    c.execute(&Raw(
        "INSERT INTO webhooks (id, org_id, url, events, secret, active, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, TRUE, 1, $6, $6)",
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
            select!("WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL"),
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
            select!("WHERE org_id = $1 AND deleted_at IS NULL ORDER BY id"),
            vec![org.0.into()],
        ),
        webhook,
    )
    .await
}

/// Changes a subscription's URL, events or pause if `patch.version` is
/// still the stored one. Deliveries already queued go to the new URL.
pub async fn update(
    c: &mut Conn,
    org: OrgId,
    id: WebhookId,
    patch: &WebhookPatch,
) -> Result<Webhook> {
    let current = get(c, org, id).await?;
    if current.version != patch.version {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let next = patch.apply(&current)?;
    let n = c
        .execute(&Raw(
            "UPDATE webhooks SET url = $1, events = $2, active = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND org_id = $6 AND version = $7 AND deleted_at IS NULL",
            vec![
                next.url.into(),
                next.events.join(" ").into(),
                next.active.into(),
                now().into(),
                id.0.into(),
                org.0.into(),
                patch.version.into(),
            ],
        ))
        .await?;
    let updated = get(c, org, id).await?;
    if n == 0 {
        return Err(StoreError::Conflict {
            current_version: updated.version,
        });
    }
    Ok(updated)
}

/// Replaces a subscription's signing secret and returns the new one, this
/// once. Every delivery from now on, queued ones included, is signed with
/// it; the old one stops at once.
pub async fn rotate_secret(c: &mut Conn, org: OrgId, id: WebhookId) -> Result<CreatedWebhook> {
    let secret = new_secret();
    let n = c
        .execute(&Raw(
            "UPDATE webhooks SET secret = $1, updated_at = $2 \
             WHERE id = $3 AND org_id = $4 AND deleted_at IS NULL",
            vec![
                secret.clone().into(),
                now().into(),
                id.0.into(),
                org.0.into(),
            ],
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(CreatedWebhook {
        webhook: get(c, org, id).await?,
        secret,
    })
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

/// Where a live subscription's deliveries go and the key that signs them,
/// read by the worker at each attempt so an edit or a rotation applies to
/// queued deliveries too.
pub async fn endpoint(c: &mut Conn, org: OrgId, id: WebhookId) -> Result<(String, String)> {
    c.query_one(
        &Raw(
            "SELECT url, secret FROM webhooks WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL",
            vec![id.0.into(), org.0.into()],
        ),
        |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
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
        .filter(|w| w.active && w.events.iter().any(|e| e == event))
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
            event: event.to_string(),
            body: body.clone(),
        };
        outbox::enqueue(c, org, None, Some(w.id), &delivery).await?;
    }
    Ok(())
}
