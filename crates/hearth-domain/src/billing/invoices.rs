//! Invoices: numbered per organisation without gaps, paid in one or more
//! payments. The stored status is one of draft, open, partially paid, paid
//! and void; `overdue` is never stored but read from the due date.

use super::lines::{Line, LineInput, Totals, totals, validate_lines};
use super::money::{Currency, Money};
use crate::customers::clean_text;
use crate::{CustomerId, Invalid, InvoiceId};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

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
    /// The job it bills (not checked until jobs exist).
    #[schema(value_type = Option<String>, format = Uuid)]
    pub job_id: Option<Uuid>,
}

/// A change: lines and currency only while a draft; due date and notes
/// until it is paid or void; `status: "open"` issues a draft.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoicePatch {
    #[serde(deserialize_with = "crate::wire::whole_number")]
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

/// The money side of a stored invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvoiceState {
    /// Never `Overdue`: that is only read.
    pub status: InvoiceStatus,
    pub currency: Currency,
    pub total_minor: i64,
    pub paid_minor: i64,
}

impl InvoiceState {
    pub fn balance_minor(&self) -> i64 {
        self.total_minor - self.paid_minor
    }
}

/// What can happen to an invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvoiceEvent {
    /// A draft is sent to the customer.
    Issue,
    /// Cancelled; only while nothing was paid.
    Void,
    /// Money received.
    Pay { amount_minor: i64 },
}

/// The invoice after `event`, or why it cannot happen. Payments never push
/// the amount paid past the total, so `paid + balance = total` always holds.
pub fn invoice_after(state: InvoiceState, event: InvoiceEvent) -> Result<InvoiceState, Invalid> {
    use InvoiceStatus::*;
    let status_error = |why: String| Err(Invalid::field("status", why));
    match event {
        InvoiceEvent::Issue => match state.status {
            Draft => Ok(InvoiceState {
                // Nothing to collect: a zero invoice is settled when issued.
                status: if state.total_minor == 0 { Paid } else { Open },
                ..state
            }),
            Open | PartiallyPaid | Paid | Overdue => Ok(state),
            Void => status_error("a void invoice cannot be issued".into()),
        },
        InvoiceEvent::Void => match state.status {
            Void => Ok(state),
            _ if state.paid_minor > 0 => status_error(format!(
                "{} has been paid on this invoice; it cannot be voided",
                Money::new(state.paid_minor, state.currency)
            )),
            Draft | Open | Overdue => Ok(InvoiceState {
                status: Void,
                ..state
            }),
            PartiallyPaid | Paid => {
                status_error(format!("a {} invoice cannot be voided", state.status))
            }
        },
        InvoiceEvent::Pay { amount_minor } => {
            match state.status {
                Draft => {
                    return status_error("a draft invoice cannot be paid; issue it first".into());
                }
                Void => return status_error("a void invoice cannot be paid".into()),
                _ => {}
            }
            let balance = state.balance_minor();
            if amount_minor <= 0 {
                return Err(Invalid::field("amount_minor", "must be more than 0"));
            }
            if amount_minor > balance {
                return Err(Invalid::field(
                    "amount_minor",
                    format!(
                        "is more than the balance of {}",
                        Money::new(balance, state.currency)
                    ),
                ));
            }
            let paid_minor = state.paid_minor + amount_minor;
            Ok(InvoiceState {
                status: if paid_minor == state.total_minor {
                    Paid
                } else {
                    PartiallyPaid
                },
                paid_minor,
                ..state
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use InvoiceStatus::*;

    fn state(status: InvoiceStatus, total: i64, paid: i64) -> InvoiceState {
        InvoiceState {
            status,
            currency: Currency::USD,
            total_minor: total,
            paid_minor: paid,
        }
    }

    fn pay(amount_minor: i64) -> InvoiceEvent {
        InvoiceEvent::Pay { amount_minor }
    }

    #[test]
    fn numbers_are_zero_padded() {
        assert_eq!(invoice_number(123), "INV-000123");
        assert_eq!(invoice_number(1_234_567), "INV-1234567");
    }

    #[test]
    fn partial_then_full_payment() {
        let s = invoice_after(state(Open, 10000, 0), pay(4000)).unwrap();
        assert_eq!(
            (s.status, s.paid_minor, s.balance_minor()),
            (PartiallyPaid, 4000, 6000)
        );
        let s = invoice_after(s, pay(6000)).unwrap();
        assert_eq!((s.status, s.balance_minor()), (Paid, 0));
    }

    #[test]
    fn overpayment_names_the_amount() {
        let err = invoice_after(state(Open, 10000, 9000), pay(1001)).unwrap_err();
        assert_eq!(err.0[0].field, "amount_minor");
        assert!(
            err.0[0].message.contains("10.00 USD"),
            "{}",
            err.0[0].message
        );
        let err = invoice_after(state(Paid, 10000, 10000), pay(1)).unwrap_err();
        assert_eq!(err.0[0].field, "amount_minor");
        let err = invoice_after(state(Open, 10000, 0), pay(0)).unwrap_err();
        assert_eq!(err.0[0].field, "amount_minor");
    }

    #[test]
    fn drafts_and_void_invoices_cannot_be_paid() {
        for s in [Draft, Void] {
            let err = invoice_after(state(s, 10000, 0), pay(100)).unwrap_err();
            assert_eq!(err.0[0].field, "status");
        }
    }

    #[test]
    fn issuing_and_voiding() {
        assert_eq!(
            invoice_after(state(Draft, 5, 0), InvoiceEvent::Issue)
                .unwrap()
                .status,
            Open
        );
        assert_eq!(
            invoice_after(state(Draft, 0, 0), InvoiceEvent::Issue)
                .unwrap()
                .status,
            Paid
        );
        assert_eq!(
            invoice_after(state(Open, 5, 0), InvoiceEvent::Void)
                .unwrap()
                .status,
            Void
        );
        assert_eq!(
            invoice_after(state(Void, 5, 0), InvoiceEvent::Void)
                .unwrap()
                .status,
            Void
        );
        assert!(invoice_after(state(PartiallyPaid, 5, 2), InvoiceEvent::Void).is_err());
        assert!(invoice_after(state(Void, 5, 0), InvoiceEvent::Issue).is_err());
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
