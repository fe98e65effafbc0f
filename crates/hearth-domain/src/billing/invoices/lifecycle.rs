//! What can happen to an invoice's money: issuing, voiding and payments,
//! as one pure function.

use super::InvoiceStatus;
use crate::Invalid;
use crate::billing::money::{Currency, Money};

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
}
