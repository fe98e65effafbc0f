//! WhatsApp Cloud API webhooks at `/hooks/whatsapp/{org_id}`.
//!
//! - `GET` is Meta's subscription handshake: `hub.mode=subscribe`,
//!   `hub.verify_token` (the token set in the org's inbound settings) and
//!   `hub.challenge`, which is echoed back.
//! - `POST` carries messages, signed by Meta with the app secret:
//!   `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`.

use super::inbound::{org_keys, take};
use crate::AppState;
use crate::error::{ApiResult, AppError};
use crate::extract::parse_json;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use hearth_domain::channels::Channel as Health;
use hearth_domain::inbound::WhatsappPayload;
use hearth_store::{inbound, work};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// Whether `header` (`sha256=<hex>`) is the HMAC of `body` under `secret`,
/// compared in constant time.
fn signed(secret: &str, header: Option<&str>, body: &[u8]) -> bool {
    let Some(tag) = header
        .and_then(|h| h.trim().strip_prefix("sha256="))
        .and_then(|hex_tag| hex::decode(hex_tag).ok())
    else {
        return false;
    };
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&tag).is_ok()
}

#[derive(Deserialize)]
pub struct Handshake {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

/// Meta's subscription check: answer the challenge only to the right token.
pub async fn verify(
    State(s): State<AppState>,
    Path(org): Path<String>,
    Query(h): Query<Handshake>,
) -> ApiResult<String> {
    let keys = org_keys(&s, &org).await?;
    let (Some("subscribe"), Some(token), Some(challenge)) =
        (h.mode.as_deref(), h.verify_token, h.challenge)
    else {
        return Err(AppError::Forbidden);
    };
    let org = keys.org;
    let matches = s
        .store
        .read(work!(|c| inbound::whatsapp_token_matches(c, org, &token)))
        .await?;
    if !matches {
        tracing::warn!(%org, "WhatsApp subscription handshake with a wrong verify token");
        return Err(AppError::Forbidden);
    }
    Ok(challenge)
}

pub async fn receive(
    State(s): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let keys = org_keys(&s, &org).await?;
    let header = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    let ok = keys
        .whatsapp_app_secret
        .as_deref()
        .is_some_and(|secret| signed(secret, header, &body));
    if !ok {
        tracing::warn!(org = %keys.org, "WhatsApp hook with a bad or missing signature");
        return Err(AppError::Unauthorized);
    }
    let events = parse_json::<WhatsappPayload>(&body).and_then(|p| Ok(p.messages()?));
    let received = take(&s, &keys, Health::InboundWhatsapp, events).await?;
    Ok(Json(json!({ "items": received })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_signatures_verify_only_with_the_app_secret() {
        let body = br#"{"object":"whatsapp_business_account"}"#;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"app-secret").unwrap();
        mac.update(body);
        let header = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert!(signed("app-secret", Some(&header), body));
        assert!(!signed("other-secret", Some(&header), body));
        assert!(!signed("app-secret", Some(&header), b"{}"));
        assert!(!signed("app-secret", Some("sha256=zz"), body));
        assert!(!signed("app-secret", None, body));
    }
}
