//! Property tests: whatever the lines and payments, the money adds up.

use super::invoices::{InvoiceEvent, InvoiceState, InvoiceStatus, invoice_after};
use super::lines::{LineInput, MAX_LINE_AMOUNT_MINOR, totals, validate_lines};
use super::loyalty::points_for;
use super::money::{Currency, div_round_half_even, format_minor, parse_decimal};
use super::spending::{SpendingFacts, spending};
use crate::Invalid;
use chrono::NaiveDate;
use proptest::prelude::*;

fn line() -> impl Strategy<Value = LineInput> {
    (1i64..=5_000_000, 0i64..=2_000_000_000, 0i64..=10_000).prop_map(|(q, price, bp)| LineInput {
        description: "Work".into(),
        quantity_thousandths: q,
        unit_price_minor: price,
        tax_rate_bp: bp,
    })
}

fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(vec!["USD", "EUR", "JPY", "KWD", "GBP"])
        .prop_map(|c| Currency::parse(c).unwrap())
}

proptest! {
    #[test]
    fn rounding_is_within_half_a_unit(n in -1_000_000_000_000i128..1_000_000_000_000, d in 1i128..1_000_000) {
        let q = div_round_half_even(n, d);
        let rest = n - q * d;
        prop_assert!(2 * rest.abs() <= d, "n={n} d={d} q={q}");
        if 2 * rest.abs() == d {
            prop_assert_eq!(q % 2, 0, "ties go to the even neighbour");
        }
    }

    #[test]
    fn totals_are_exact_sums_of_lines_each_within_half_a_unit(inputs in prop::collection::vec(line(), 1..30)) {
        let mut errors = Invalid::default();
        let lines = validate_lines(&inputs, &mut errors);
        prop_assert!(errors.0.is_empty(), "{:?}", errors);
        let t = totals(&lines);
        prop_assert_eq!(t.subtotal_minor, lines.iter().map(|l| l.amount_minor).sum::<i64>());
        prop_assert_eq!(t.tax_minor, lines.iter().map(|l| l.tax_minor).sum::<i64>());
        prop_assert_eq!(t.total_minor, t.subtotal_minor + t.tax_minor);
        for l in &lines {
            prop_assert!(l.amount_minor <= MAX_LINE_AMOUNT_MINOR);
            // |amount × 1000 − q × p| ≤ 500, |tax × 10000 − amount × bp| ≤ 5000
            let exact = i128::from(l.quantity_thousandths) * i128::from(l.unit_price_minor);
            prop_assert!((i128::from(l.amount_minor) * 1000 - exact).abs() <= 500);
            let exact_tax = i128::from(l.amount_minor) * i128::from(l.tax_rate_bp);
            prop_assert!((i128::from(l.tax_minor) * 10_000 - exact_tax).abs() <= 5000);
            prop_assert!(l.tax_minor >= 0 && l.tax_minor <= l.amount_minor);
        }
    }

    #[test]
    fn payments_never_drift_from_the_total(
        total in 1i64..10_000_000_000,
        attempts in prop::collection::vec(-1_000i64..6_000_000_000, 1..40),
    ) {
        let mut state = InvoiceState {
            status: InvoiceStatus::Open,
            currency: Currency::USD,
            total_minor: total,
            paid_minor: 0,
        };
        let mut accepted: Vec<i64> = vec![];
        for amount in attempts {
            match invoice_after(state, InvoiceEvent::Pay { amount_minor: amount }) {
                Ok(next) => {
                    prop_assert!(amount > 0 && amount <= state.balance_minor());
                    accepted.push(amount);
                    state = next;
                }
                Err(e) => {
                    // A refused payment names a field and changes nothing.
                    prop_assert!(e.0[0].field == "amount_minor");
                }
            }
            let paid: i64 = accepted.iter().sum();
            prop_assert_eq!(state.paid_minor, paid);
            prop_assert_eq!(paid + state.balance_minor(), total);
            prop_assert!(state.balance_minor() >= 0);
            prop_assert_eq!(state.status == InvoiceStatus::Paid, state.balance_minor() == 0);
        }
        // Paying off the rest always works and settles it.
        if state.balance_minor() > 0 {
            let last = invoice_after(state, InvoiceEvent::Pay { amount_minor: state.balance_minor() }).unwrap();
            prop_assert_eq!(last.status, InvoiceStatus::Paid);
            prop_assert_eq!(last.paid_minor, total);
        }
    }

    #[test]
    fn typed_amounts_round_trip(minor in -1_000_000_000_000i64..1_000_000_000_000, c in currency()) {
        let text = format_minor(minor, c);
        prop_assert_eq!(parse_decimal(&text, c.exponent()), Ok(minor));
    }

    #[test]
    fn points_never_exceed_the_rule(amount in 0i64..1_000_000_000_000, ppu in 0i64..100, c in currency()) {
        let p = points_for(amount, c, ppu);
        prop_assert!(p >= 0);
        prop_assert!(i128::from(p) * i128::from(c.minor_per_unit()) <= i128::from(amount) * i128::from(ppu));
        prop_assert!(points_for(amount + c.minor_per_unit(), c, ppu) >= p + ppu.min(1_000_000_000 - p));
    }

    #[test]
    fn spending_averages_multiply_back_within_rounding(
        paid in prop::collection::vec(1i64..100_000_000, 0..20),
        partial in 0i64..100_000_000,
        days in 0i64..4000,
    ) {
        let since = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap();
        let today = since + chrono::Days::new(days as u64);
        let count = paid.len() as i64;
        let paid_total: i64 = paid.iter().sum();
        let facts = SpendingFacts {
            currency: Currency::USD,
            payments_minor: paid_total + partial,
            paid_invoices: count,
            paid_invoices_total_minor: paid_total,
            outstanding_minor: 0,
        };
        let s = spending(since, today, count, &[facts]);
        let usd = &s.per_currency[0];
        prop_assert_eq!(usd.total_spent_minor, paid_total + partial);
        if count > 0 {
            prop_assert!((i128::from(usd.average_per_paid_invoice_minor) * i128::from(count) - i128::from(paid_total)).abs() * 2 <= i128::from(count));
        }
        if count > 0 {
            prop_assert!((i128::from(usd.average_per_booking_minor) * i128::from(count) - i128::from(usd.total_spent_minor)).abs() * 2 <= i128::from(count));
        }
        prop_assert!((i128::from(usd.average_per_month_minor) * i128::from(s.months) - i128::from(usd.total_spent_minor)).abs() * 2 <= i128::from(s.months));
    }
}
