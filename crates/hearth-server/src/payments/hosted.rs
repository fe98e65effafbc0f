//! A hosted checkout provider: Hearth POSTs a signed JSON request to
//! `{HEARTH_PAYMENTS_URL}/checkout/sessions` and gets back the session's id
//! and the payment page's URL; when the customer has paid, the provider
//! POSTs a signed `payment.completed` event to `/hooks/payments/hosted_checkout`.
//!
//! Session request: `{"amount_minor", "currency", "reference", "description",
//! "metadata": {"invoice_id"}, "return_url"}`; answer: `{"id", "url"}`.
//! Event: `{"type": "payment.completed", "session_id", "payment_id",
//! "amount_minor", "currency"}`.

use super::{CheckoutRequest, Collection, PaymentProvider, ProviderError, WebhookError, signature};
use axum::http::HeaderMap;
use futures::future::BoxFuture;
use hearth_domain::billing::payments::ProviderPayment;
use serde::Deserialize;
use std::time::Duration;

pub struct HostedCheckout {
    base: String,
    secret: String,
    http: reqwest::Client,
}

#[derive(Deserialize)]
struct SessionCreated {
    id: String,
    url: String,
}

#[derive(Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    #[serde(flatten)]
    payment: serde_json::Value,
}

impl HostedCheckout {
    pub fn new(base: &str, secret: &str) -> Result<HostedCheckout, String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(HostedCheckout {
            base: base.trim_end_matches('/').to_string(),
            secret: secret.to_string(),
            http,
        })
    }

    async fn create_session(&self, r: &CheckoutRequest) -> Result<Collection, ProviderError> {
        let body = serde_json::json!({
            "amount_minor": r.amount.minor,
            "currency": r.amount.currency,
            "reference": r.invoice_number,
            "description": r.description,
            "metadata": {"invoice_id": r.invoice_id},
            "return_url": r.return_url,
        });
        let bytes = serde_json::to_vec(&body).map_err(|e| ProviderError::Refused(e.to_string()))?;
        let now = chrono::Utc::now().timestamp();
        let res = self
            .http
            .post(format!("{}/checkout/sessions", self.base))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(
                signature::HEADER,
                signature::sign(&self.secret, now, &bytes),
            )
            .body(bytes)
            .send()
            .await
            .map_err(|e| ProviderError::Unreachable(e.without_url().to_string()))?;
        let status = res.status();
        if !status.is_success() {
            return Err(ProviderError::Refused(format!("status {status}")));
        }
        let created: SessionCreated = res.json().await.map_err(|e| {
            ProviderError::Refused(format!("unreadable answer: {}", e.without_url()))
        })?;
        let url_ok = created.url.starts_with("https://") || created.url.starts_with("http://");
        if created.id.trim().is_empty() || !url_ok {
            return Err(ProviderError::Refused(
                "the answer lacks a session id or payment URL".into(),
            ));
        }
        Ok(Collection::Redirect {
            session_id: created.id,
            url: created.url,
        })
    }
}

impl PaymentProvider for HostedCheckout {
    fn name(&self) -> &'static str {
        "hosted_checkout"
    }

    fn start<'a>(
        &'a self,
        request: &'a CheckoutRequest,
    ) -> BoxFuture<'a, Result<Collection, ProviderError>> {
        Box::pin(self.create_session(request))
    }

    fn verify_webhook(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<ProviderPayment, WebhookError> {
        let header = headers
            .get(signature::HEADER)
            .and_then(|v| v.to_str().ok())
            .ok_or(WebhookError::BadSignature)?;
        if !signature::verify(&self.secret, header, body, now) {
            return Err(WebhookError::BadSignature);
        }
        let event: Event =
            serde_json::from_slice(body).map_err(|e| WebhookError::BadPayload(e.to_string()))?;
        if event.kind != "payment.completed" {
            return Err(WebhookError::Ignored(event.kind));
        }
        serde_json::from_value(event.payment).map_err(|e| WebhookError::BadPayload(e.to_string()))
    }
}
