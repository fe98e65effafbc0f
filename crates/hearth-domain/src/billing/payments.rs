//! Payments against an invoice: recorded by staff (cash, check, card on a
//! terminal) or reported by a payment provider's webhook.

use super::money::Currency;
use crate::customers::clean_text;
use crate::words::word_enum;
use crate::{CustomerId, Invalid, InvoiceId, PaymentId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

word_enum!(
    PaymentMethod {
        Cash => "cash",
        Check => "check",
        Card => "card",
        BankTransfer => "bank_transfer",
        Other => "other",
    }
);

impl PaymentMethod {
    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "Cash",
            PaymentMethod::Check => "Check",
            PaymentMethod::Card => "Card",
            PaymentMethod::BankTransfer => "Bank transfer",
            PaymentMethod::Other => "Other",
        }
    }
}

/// A recorded payment.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Payment {
    pub id: PaymentId,
    pub invoice_id: InvoiceId,
    pub customer_id: CustomerId,
    pub amount_minor: i64,
    pub currency: Currency,
    pub method: PaymentMethod,
    /// Check number, transfer reference, card slip…
    pub reference: Option<String>,
    /// `manual` for payments staff record, else the provider that took it.
    pub provider: String,
    /// The provider's id of the payment; unique per provider, which is what
    /// makes a repeated webhook harmless.
    pub provider_payment_id: Option<String>,
    pub received_at: DateTime<Utc>,
}

/// `POST /api/v1/invoices/{id}/payments`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    /// In the invoice's currency; at most its balance.
    pub amount_minor: i64,
    pub method: PaymentMethod,
    pub reference: Option<String>,
}

const REFERENCE_MAX: usize = 200;

impl PaymentInput {
    /// The cleaned reference; the amount is checked against the invoice
    /// (see `invoices::invoice_after`).
    pub fn reference(&self) -> Result<Option<String>, Invalid> {
        let mut errors = Invalid::default();
        let r = clean_text(
            "reference",
            self.reference.as_deref(),
            REFERENCE_MAX,
            &mut errors,
        );
        errors.or_ok(r)
    }
}

/// What a provider reports about a completed payment, after its signature
/// was checked.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct ProviderPayment {
    /// The checkout session the payment completes.
    pub session_id: String,
    /// The provider's id of the payment.
    pub payment_id: String,
    pub amount_minor: i64,
    pub currency: Currency,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_snake_case_words() {
        let m: PaymentMethod = serde_json::from_str(r#""bank_transfer""#).unwrap();
        assert_eq!(m, PaymentMethod::BankTransfer);
        assert!(serde_json::from_str::<PaymentMethod>(r#""bitcoin""#).is_err());
        assert_eq!(
            PaymentMethod::choices(),
            "cash, check, card, bank_transfer or other"
        );
    }

    #[test]
    fn references_are_cleaned() {
        let p = PaymentInput {
            amount_minor: 1,
            method: PaymentMethod::Check,
            reference: Some("  #1042 ".into()),
        };
        assert_eq!(p.reference().unwrap().as_deref(), Some("#1042"));
    }
}
