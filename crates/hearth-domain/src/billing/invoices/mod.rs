//! Invoices: numbered per organisation without gaps, paid in one or more
//! payments. The stored status is one of draft, open, partially paid, paid
//! and void; `overdue` is never stored but read from the due date.

use super::lines::{Line, LineInput, Totals, totals, validate_lines};
use super::money::{Currency, Money};
use crate::customers::clean_text;
use crate::words::word_enum;
use crate::{CustomerId, Invalid, InvoiceId};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

mod lifecycle;
pub use lifecycle::{InvoiceEvent, InvoiceState, invoice_after};

word_enum!(
    InvoiceStatus {
        Draft => "draft",
        Open => "open",
        PartiallyPaid => "partially_paid",
        Paid => "paid",
        Void => "void",
        /// Open or partially paid after its due date; computed on read.
        Overdue => "overdue",
    }
);

impl InvoiceStatus {
    /// Whether money is still expected.
    pub fn is_collectable(self) -> bool {
        matches!(
            self,
            InvoiceStatus::Open | InvoiceStatus::PartiallyPaid | InvoiceStatus::Overdue
        )
    }
}

/// "INV-000123": the number a customer quotes on the phone. Six digits at
/// least; an organisation past a million invoices gets seven.
pub fn invoice_number(n: i64) -> String {
    format!("INV-{n:06}")
}

/// What a person edits on an invoice, validated; also what the audit log
/// compares.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InvoiceFields {
    pub currency: Currency,
    pub lines: Vec<Line>,
    pub due_date: NaiveDate,
    pub notes: Option<String>,
}

/// A stored invoice with its status as of today.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Invoice {
    pub id: InvoiceId,
    /// `INV-000123`, unique and gapless within the organisation.
    pub number: String,
    pub customer_id: CustomerId,
    pub status: InvoiceStatus,
    pub currency: Currency,
    pub lines: Vec<Line>,
    #[serde(flatten)]
    pub totals: Totals,
    /// Sum of the payments recorded.
    pub amount_paid_minor: i64,
    /// `total_minor - amount_paid_minor`.
    pub balance_minor: i64,
    pub due_date: NaiveDate,
    pub notes: Option<String>,
    /// The job it bills, once jobs exist.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub job_id: Option<Uuid>,
    pub issued_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub voided_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Invoice {
    pub fn balance(&self) -> Money {
        Money::new(self.balance_minor, self.currency)
    }

    pub fn total(&self) -> Money {
        Money::new(self.totals.total_minor, self.currency)
    }
}

/// How a new invoice starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NewInvoiceStatus {
    /// Still being written; cannot be paid.
    #[default]
    Draft,
    /// Issued to the customer at once.
    Open,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceInput {
    pub customer_id: CustomerId,
    /// Defaults to the organisation's currency.
    pub currency: Option<Currency>,
    pub lines: Vec<LineInput>,
    /// Defaults to today plus the organisation's payment terms.
    pub due_date: Option<NaiveDate>,
    pub notes: Option<String>,
    /// `draft` (default) or `open`.
    #[serde(default)]
    pub status: NewInvoiceStatus,
    /// The job it bills: one of the same customer's jobs.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub job_id: Option<Uuid>,
}

/// A change: lines and currency only while a draft; due date and notes
/// until it is paid or void; `status: "open"` issues a draft.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoicePatch {
    pub version: i64,
    pub currency: Option<Currency>,
    pub lines: Option<Vec<LineInput>>,
    pub due_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    /// Only `open`, to issue a draft.
    pub status: Option<NewInvoiceStatus>,
}

const NOTES_MAX: usize = 5000;

impl InvoiceInput {
    pub fn validate(
        &self,
        today: NaiveDate,
        default_currency: Currency,
        due_days: i64,
    ) -> Result<InvoiceFields, Invalid> {
        let mut errors = Invalid::default();
        let lines = validate_lines(&self.lines, &mut errors);
        let notes = clean_text("notes", self.notes.as_deref(), NOTES_MAX, &mut errors);
        let due_date = self.due_date.unwrap_or_else(|| {
            today
                .checked_add_days(Days::new(due_days.max(0) as u64))
                .unwrap_or(today)
        });
        errors.or_ok(InvoiceFields {
            currency: self.currency.unwrap_or(default_currency),
            lines,
            due_date,
            notes,
        })
    }
}

impl InvoiceFields {
    pub fn totals(&self) -> Totals {
        totals(&self.lines)
    }

    /// The fields with a patch laid over them, as far as `stored` allows.
    pub fn patched(
        &self,
        stored: InvoiceStatus,
        p: &InvoicePatch,
    ) -> Result<InvoiceFields, Invalid> {
        let mut errors = Invalid::default();
        if matches!(stored, InvoiceStatus::Paid | InvoiceStatus::Void) {
            return Err(Invalid::field(
                "status",
                format!("a {stored} invoice cannot be changed"),
            ));
        }
        let draft = stored == InvoiceStatus::Draft;
        if !draft && p.lines.is_some() {
            errors.push("lines", "can only change while the invoice is a draft");
        }
        if !draft && p.currency.is_some_and(|c| c != self.currency) {
            errors.push("currency", "can only change while the invoice is a draft");
        }
        let lines = match &p.lines {
            Some(lines) if draft => validate_lines(lines, &mut errors),
            _ => self.lines.clone(),
        };
        let notes = match &p.notes {
            Some(n) => clean_text("notes", n.as_deref(), NOTES_MAX, &mut errors),
            None => self.notes.clone(),
        };
        errors.or_ok(InvoiceFields {
            currency: if draft {
                p.currency.unwrap_or(self.currency)
            } else {
                self.currency
            },
            lines,
            due_date: p.due_date.unwrap_or(self.due_date),
            notes,
        })
    }
}

/// The status an invoice reads as on `today`: money still owed after the
/// due date is overdue.
pub fn invoice_status_on(
    stored: InvoiceStatus,
    due_date: NaiveDate,
    today: NaiveDate,
) -> InvoiceStatus {
    if matches!(stored, InvoiceStatus::Open | InvoiceStatus::PartiallyPaid) && due_date < today {
        InvoiceStatus::Overdue
    } else {
        stored
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use InvoiceStatus::*;

    #[test]
    fn numbers_are_zero_padded() {
        assert_eq!(invoice_number(123), "INV-000123");
        assert_eq!(invoice_number(1_234_567), "INV-1234567");
    }

    #[test]
    fn overdue_is_read_from_the_due_date() {
        let due = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
        let after = NaiveDate::from_ymd_opt(2026, 5, 2).unwrap();
        assert_eq!(invoice_status_on(Open, due, due), Open);
        assert_eq!(invoice_status_on(Open, due, after), Overdue);
        assert_eq!(invoice_status_on(PartiallyPaid, due, after), Overdue);
        assert_eq!(invoice_status_on(Paid, due, after), Paid);
        assert_eq!(invoice_status_on(Draft, due, after), Draft);
        assert_eq!(invoice_status_on(Void, due, after), Void);
    }

    #[test]
    fn issued_invoices_keep_their_lines() {
        let f = InvoiceFields {
            currency: Currency::USD,
            lines: vec![],
            due_date: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
            notes: None,
        };
        let p: InvoicePatch = serde_json::from_value(serde_json::json!({
            "version": 1,
            "lines": [{"description": "x", "unit_price_minor": 1}],
            "notes": "Gate code 1234"
        }))
        .unwrap();
        assert_eq!(f.patched(Open, &p).unwrap_err().0[0].field, "lines");
        assert_eq!(f.patched(Draft, &p).unwrap().lines.len(), 1);
        assert_eq!(f.patched(Paid, &p).unwrap_err().0[0].field, "status");
    }
}
