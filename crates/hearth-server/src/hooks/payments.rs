//! `POST /hooks/payments/{provider}`: a provider reports a completed
//! payment. The signature is checked against the raw body before anything
//! is parsed; the payment is recorded once however often it is reported.

use crate::AppState;
use crate::error::{ApiResult, AppError};
use crate::payments::WebhookError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use hearth_domain::Invalid;
use hearth_store::billing::checkout::{self, Completion};
use hearth_store::{StoreError, work};
use serde_json::{Value, json};

pub async fn completed(
    State(s): State<AppState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let Some(p) = s.payments.get(&provider) else {
        return Err(AppError::NotFound);
    };
    let name = p.name();
    let now = chrono::Utc::now().timestamp();
    let reported = match p.verify_webhook(&headers, &body, now) {
        Ok(reported) => reported,
        Err(WebhookError::NotSupported) => return Err(AppError::NotFound),
        Err(WebhookError::BadSignature) => {
            tracing::warn!(provider = name, "payment webhook with a bad signature");
            return Err(AppError::Unauthorized);
        }
        Err(WebhookError::BadPayload(why)) => {
            return Err(Invalid::field("body", why).into());
        }
        Err(WebhookError::Ignored(kind)) => {
            return Ok(Json(json!({"status": "ignored", "type": kind})));
        }
    };
    let r = reported.clone();
    let result = s
        .store
        .write(work!(|c| checkout::complete(c, name, &r)))
        .await;
    match result {
        Ok(Completion::Recorded(p)) => Ok(Json(json!({"status": "recorded", "payment_id": p.id}))),
        Ok(Completion::AlreadyRecorded(p)) => {
            Ok(Json(json!({"status": "duplicate", "payment_id": p.id})))
        }
        // Two deliveries raced past each other: the other one recorded it.
        Err(StoreError::Duplicate { .. }) => Ok(Json(json!({"status": "duplicate"}))),
        Err(StoreError::Invalid(why)) => {
            // The money was taken but cannot be applied (the balance fell
            // meanwhile): someone has to refund it by hand.
            tracing::error!(provider = name, session = %reported.session_id, payment = %reported.payment_id,
                problem = %why, "provider payment refused; refund it with the provider");
            Err(why.into())
        }
        Err(e) => Err(e.into()),
    }
}
