//! Spending history (seed 001: "total, average per booking, average per
//! month"), computed from amounts the store sums up. Until jobs exist a
//! paid invoice stands in for a booking.

use super::money::{Currency, div_round_half_even};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

/// What the store summed for one currency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SpendingFacts {
    pub currency: Currency,
    /// All payments received.
    pub payments_minor: i64,
    pub paid_invoices: i64,
    /// Totals of the paid invoices.
    pub paid_invoices_total_minor: i64,
    /// Balances of invoices still open, partially paid or overdue.
    pub outstanding_minor: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct CurrencySpending {
    pub currency: Currency,
    /// Sum of payments received.
    pub total_spent_minor: i64,
    pub paid_invoices: i64,
    /// Average total of a paid invoice, rounded half-to-even; 0 without
    /// paid invoices.
    pub average_per_paid_invoice_minor: i64,
    /// `total_spent_minor` over the completed bookings (jobs), rounded
    /// half-to-even; 0 before the first completed job.
    pub average_per_booking_minor: i64,
    /// `total_spent_minor / months`, rounded half-to-even.
    pub average_per_month_minor: i64,
    /// Still owed on open, partially paid and overdue invoices.
    pub outstanding_minor: i64,
}

/// `GET /api/v1/customers/{id}/spending`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Spending {
    pub customer_since: NaiveDate,
    /// Calendar months from `customer_since` to today, both counted: a
    /// customer since March 30 has two months on April 1.
    pub months: i64,
    /// Jobs completed for the customer, whatever their currency.
    pub completed_jobs: i64,
    /// One entry per currency the customer was billed in, by code.
    pub per_currency: Vec<CurrencySpending>,
}

/// Calendar months from `since` through `today`, counting both ends; at
/// least 1.
pub fn months_between(since: NaiveDate, today: NaiveDate) -> i64 {
    let months = (i64::from(today.year()) - i64::from(since.year())) * 12
        + i64::from(today.month())
        - i64::from(since.month())
        + 1;
    months.max(1)
}

fn average(sum: i64, count: i64) -> i64 {
    if count <= 0 {
        0
    } else {
        div_round_half_even(i128::from(sum), i128::from(count)) as i64
    }
}

pub fn spending(
    customer_since: NaiveDate,
    today: NaiveDate,
    completed_jobs: i64,
    facts: &[SpendingFacts],
) -> Spending {
    let months = months_between(customer_since, today);
    let mut per_currency: Vec<CurrencySpending> = facts
        .iter()
        .map(|f| CurrencySpending {
            currency: f.currency,
            total_spent_minor: f.payments_minor,
            paid_invoices: f.paid_invoices,
            average_per_paid_invoice_minor: average(f.paid_invoices_total_minor, f.paid_invoices),
            average_per_booking_minor: average(f.payments_minor, completed_jobs),
            average_per_month_minor: average(f.payments_minor, months),
            outstanding_minor: f.outstanding_minor,
        })
        .collect();
    per_currency.sort_by_key(|s| s.currency);
    Spending {
        customer_since,
        months,
        completed_jobs,
        per_currency,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn months_count_both_ends() {
        assert_eq!(months_between(d(2026, 3, 30), d(2026, 4, 1)), 2);
        assert_eq!(months_between(d(2026, 4, 1), d(2026, 4, 30)), 1);
        assert_eq!(months_between(d(2025, 4, 15), d(2026, 4, 1)), 13);
        assert_eq!(months_between(d(2026, 5, 1), d(2026, 4, 1)), 1);
    }

    #[test]
    fn averages_round_half_to_even() {
        let facts = SpendingFacts {
            currency: Currency::USD,
            payments_minor: 25_001,
            paid_invoices: 2,
            paid_invoices_total_minor: 20_001,
            outstanding_minor: 5_000,
        };
        let s = spending(d(2026, 1, 10), d(2026, 4, 2), 3, &[facts]);
        assert_eq!(s.months, 4);
        let usd = &s.per_currency[0];
        assert_eq!(usd.total_spent_minor, 25_001);
        assert_eq!(usd.average_per_paid_invoice_minor, 10_000); // 10000.5 → even
        assert_eq!(usd.average_per_month_minor, 6_250); // 6250.25
        assert_eq!(usd.average_per_booking_minor, 8_334); // 8333.67
        assert_eq!(usd.outstanding_minor, 5_000);
    }

    #[test]
    fn no_paid_invoices_average_zero() {
        let facts = SpendingFacts {
            currency: Currency::USD,
            ..Default::default()
        };
        let s = spending(d(2026, 1, 1), d(2026, 1, 1), 0, &[facts]);
        assert_eq!(s.per_currency[0].average_per_paid_invoice_minor, 0);
        assert_eq!(s.per_currency[0].average_per_booking_minor, 0);
        assert_eq!(s.per_currency[0].average_per_month_minor, 0);
    }
}
