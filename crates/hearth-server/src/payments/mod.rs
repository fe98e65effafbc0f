//! Payment providers. `manual` stands for money staff take themselves
//! (cash, check, a card terminal) and record by hand; `hosted_checkout`
//! sends the customer to a provider's payment page and learns of the
//! payment from the provider's signed webhook.
//!
//! Configuration: `HEARTH_PAYMENTS_URL` is the provider's API base URL
//! (hosted checkout is off without it); `HEARTH_PAYMENTS_SECRET` is the
//! key both sides sign requests with (HMAC-SHA256, see [`signature`]). It
//! must be usable to compute signatures, so it lives in configuration, not
//! hashed in the database.

mod hosted;
mod manual;
pub use hearth_domain::signature;

pub use hosted::HostedCheckout;
pub use manual::Manual;

use axum::http::HeaderMap;
use futures::future::BoxFuture;
use hearth_domain::InvoiceId;
use hearth_domain::billing::money::Money;
use hearth_domain::billing::payments::ProviderPayment;

/// What a provider is asked to collect.
#[derive(Clone, Debug)]
pub struct CheckoutRequest {
    pub invoice_id: InvoiceId,
    /// `INV-000123`, shown on the provider's page.
    pub invoice_number: String,
    pub amount: Money,
    pub description: String,
    /// Where the provider sends the customer back after paying.
    pub return_url: Option<String>,
}

/// How a provider goes about collecting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Collection {
    /// Staff take the money themselves and record it as a payment.
    Offline,
    /// Send the customer to `url`; the provider's webhook reports the
    /// payment of session `session_id`.
    Redirect { session_id: String, url: String },
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("the payment provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the payment provider refused the request: {0}")]
    Refused(String),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WebhookError {
    #[error("this provider sends no webhooks")]
    NotSupported,
    #[error("the signature is missing, stale or wrong")]
    BadSignature,
    #[error("the payload is not a payment this server understands: {0}")]
    BadPayload(String),
    /// A correctly signed event this server does not act on.
    #[error("ignored event {0}")]
    Ignored(String),
}

pub trait PaymentProvider: Send + Sync {
    /// The name in URLs and on stored payments.
    fn name(&self) -> &'static str;

    /// Starts collecting an invoice's balance.
    fn start<'a>(
        &'a self,
        request: &'a CheckoutRequest,
    ) -> BoxFuture<'a, Result<Collection, ProviderError>>;

    /// Checks a webhook's signature against the raw body and reads the
    /// completed payment it reports. `now` is Unix seconds.
    fn verify_webhook(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<ProviderPayment, WebhookError>;
}

/// The providers this server is configured with.
pub struct Providers {
    manual: Manual,
    hosted: Option<HostedCheckout>,
}

impl Providers {
    pub fn new(config: &crate::PaymentsConfig) -> Providers {
        let hosted = match (&config.url, &config.secret) {
            (Some(url), Some(secret)) => match HostedCheckout::new(url, secret.expose()) {
                Ok(h) => Some(h),
                Err(e) => {
                    tracing::error!(error = %e, "hosted checkout disabled");
                    None
                }
            },
            (Some(_), None) => {
                tracing::error!(
                    "HEARTH_PAYMENTS_URL is set without HEARTH_PAYMENTS_SECRET: hosted checkout disabled"
                );
                None
            }
            _ => None,
        };
        Providers {
            manual: Manual,
            hosted,
        }
    }

    pub fn get(&self, name: &str) -> Option<&dyn PaymentProvider> {
        match name {
            "manual" => Some(&self.manual),
            "hosted_checkout" => self.hosted.as_ref().map(|h| h as &dyn PaymentProvider),
            _ => None,
        }
    }
}
