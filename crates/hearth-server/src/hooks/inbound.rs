//! Inbound messages and call events from the organisation's providers:
//! `POST /hooks/sms/{org_id}`, `/hooks/calls/{org_id}`, `/hooks/chat/{org_id}`
//! signed with the org's inbound secret (`Hearth-Signature`, the scheme of
//! [`crate::payments::signature`]: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
//! "<t>.<raw body>">`, at most five minutes old), and WhatsApp (see
//! [`super::whatsapp`]). The signature is checked over the raw body before
//! anything is parsed; a bad one is 401 and nothing is stored.

use crate::AppState;
use crate::api::live::announce_call;
use crate::error::{ApiResult, AppError};
use crate::extract::parse_json;
use crate::payments::signature;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use hearth_domain::OrgId;
use hearth_domain::channels::Channel as Health;
use hearth_domain::inbound::{CallPayload, CallPhase, ChatPayload, Event, Inbound, SmsPayload};
use hearth_store::inbound::{self, HookKeys, Received};
use hearth_store::{StoreError, channels, work};
use serde_json::{Value, json};

/// The org named in the path, or 404.
pub(super) async fn org_keys(s: &AppState, org: &str) -> ApiResult<HookKeys> {
    let org = uuid::Uuid::parse_str(org)
        .map(OrgId)
        .map_err(|_| AppError::NotFound)?;
    s.store
        .read(work!(|c| inbound::hook_keys(c, org)))
        .await?
        .ok_or(AppError::NotFound)
}

/// The org's keys if `Hearth-Signature` signs `body` with its secret.
async fn verified(
    s: &AppState,
    org: &str,
    headers: &HeaderMap,
    body: &[u8],
    channel: Health,
) -> ApiResult<HookKeys> {
    let keys = org_keys(s, org).await?;
    let header = headers.get(signature::HEADER).and_then(|v| v.to_str().ok());
    let now = chrono::Utc::now().timestamp();
    let ok = match (&keys.secret, header) {
        (Some(secret), Some(header)) => signature::verify(secret, header, body, now),
        _ => false,
    };
    if !ok {
        // Logged without the header or body: they are the caller's, not ours.
        tracing::warn!(org = %keys.org, channel = channel.as_str(), "inbound hook with a bad or missing signature");
        return Err(AppError::Unauthorized);
    }
    Ok(keys)
}

/// Takes verified events in one transaction with the channel's health;
/// a rejected payload is recorded as the channel's failure and changes
/// nothing else. Ringing calls are announced on the live bus after commit.
pub(super) async fn take(
    s: &AppState,
    keys: &HookKeys,
    channel: Health,
    events: Result<Vec<Inbound>, AppError>,
) -> ApiResult<Vec<Received>> {
    let org = keys.org;
    let events = match events {
        Ok(events) => events,
        Err(e) => {
            let why = match &e {
                AppError::Invalid(i) => format!("payload rejected: {}", i.summary()),
                other => format!("payload rejected: {other}"),
            };
            s.store
                .write(work!(|c| channels::record(c, org, channel, Err(&why))))
                .await?;
            return Err(e);
        }
    };
    let (region, batch) = (keys.region.clone(), events.clone());
    let received = s
        .store
        .write(work!(|c| async {
            let mut out = Vec::with_capacity(batch.len());
            for e in &batch {
                out.push(inbound::receive(c, org, &region, e).await?);
            }
            channels::record(c, org, channel, Ok(())).await?;
            Ok(out)
        }))
        .await
        .map_err(|e| match e {
            // Two deliveries of one message raced: the other one took it.
            StoreError::Duplicate { .. } => AppError::Duplicate("already received".into()),
            e => e.into(),
        })?;
    for (e, r) in events.iter().zip(&received) {
        if let (
            Event::Call {
                phase: CallPhase::Ringing,
                ..
            },
            false,
            Some(phone),
        ) = (&e.event, r.duplicate, &e.sender.phone)
        {
            announce_call(s, org, &keys.region, phone.clone()).await?;
        }
    }
    Ok(received)
}

fn one(mut received: Vec<Received>) -> Json<Value> {
    let r = received.pop();
    Json(json!({
        "status": if r.as_ref().is_some_and(|r| r.duplicate) { "duplicate" } else { "received" },
        "received": r,
    }))
}

pub async fn sms(
    State(s): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let keys = verified(&s, &org, &headers, &body, Health::InboundSms).await?;
    let events = parse_json::<SmsPayload>(&body).and_then(|p| Ok(vec![p.validate(&keys.region)?]));
    Ok(one(take(&s, &keys, Health::InboundSms, events).await?))
}

pub async fn calls(
    State(s): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let keys = verified(&s, &org, &headers, &body, Health::InboundCalls).await?;
    let events = parse_json::<CallPayload>(&body).and_then(|p| Ok(vec![p.validate(&keys.region)?]));
    Ok(one(take(&s, &keys, Health::InboundCalls, events).await?))
}

pub async fn chat(
    State(s): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let keys = verified(&s, &org, &headers, &body, Health::InboundChat).await?;
    let events = parse_json::<ChatPayload>(&body).and_then(|p| Ok(vec![p.validate(&keys.region)?]));
    Ok(one(take(&s, &keys, Health::InboundChat, events).await?))
}
