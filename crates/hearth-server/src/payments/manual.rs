//! Payments taken offline and recorded by staff.

use super::{CheckoutRequest, Collection, PaymentProvider, ProviderError, WebhookError};
use axum::http::HeaderMap;
use futures::future::BoxFuture;
use hearth_domain::billing::payments::ProviderPayment;

pub struct Manual;

impl PaymentProvider for Manual {
    fn name(&self) -> &'static str {
        "manual"
    }

    fn start<'a>(
        &'a self,
        _: &'a CheckoutRequest,
    ) -> BoxFuture<'a, Result<Collection, ProviderError>> {
        Box::pin(async { Ok(Collection::Offline) })
    }

    fn verify_webhook(
        &self,
        _: &HeaderMap,
        _: &[u8],
        _: i64,
    ) -> Result<ProviderPayment, WebhookError> {
        Err(WebhookError::NotSupported)
    }
}
