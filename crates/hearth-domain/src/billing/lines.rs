//! Line items and the totals of a quote or invoice.
//!
//! Rounding rule (documented for accountants): each line's amount is
//! `quantity × unit price`, rounded half-to-even to the minor unit; each
//! line's tax is `amount × rate`, rounded half-to-even to the minor unit.
//! The document's subtotal, tax and total are exact sums of those rounded
//! line values, so the lines always add up to the totals shown.

use super::money::div_round_half_even;
use crate::Invalid;
use crate::customers::clean_text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const MAX_LINES: usize = 100;
/// One million units.
pub const MAX_QUANTITY_THOUSANDTHS: i64 = 1_000_000_000;
/// Ten billion in major units of a two-decimal currency.
pub const MAX_UNIT_PRICE_MINOR: i64 = 1_000_000_000_000;
/// No line may be worth more than this; with [`MAX_LINES`] the totals
/// cannot overflow an `i64`.
pub const MAX_LINE_AMOUNT_MINOR: i64 = 10_000_000_000_000;
/// 100 %.
pub const MAX_TAX_RATE_BP: i64 = 10_000;
const DESCRIPTION_MAX: usize = 500;

fn one_unit() -> i64 {
    1000
}

/// A line as a client sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    /// Required; absent reads as empty so the error names the line's field.
    #[serde(default)]
    pub description: String,
    /// Thousandths of a unit: `1000` is one, `1500` one and a half hours.
    /// Defaults to one unit.
    #[serde(default = "one_unit")]
    pub quantity_thousandths: i64,
    /// Price of one unit in minor units.
    pub unit_price_minor: i64,
    /// Tax rate in basis points: `825` is 8.25 %. Defaults to no tax.
    #[serde(default)]
    pub tax_rate_bp: i64,
}

/// A validated line with its rounded amount and tax.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Line {
    pub description: String,
    pub quantity_thousandths: i64,
    pub unit_price_minor: i64,
    pub tax_rate_bp: i64,
    /// `quantity × unit price`, rounded half-to-even.
    pub amount_minor: i64,
    /// `amount × tax rate`, rounded half-to-even.
    pub tax_minor: i64,
}

/// What a document adds up to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Totals {
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
}

/// `quantity_thousandths × unit_price_minor / 1000`, rounded half-to-even.
pub fn line_amount(quantity_thousandths: i64, unit_price_minor: i64) -> i128 {
    div_round_half_even(
        i128::from(quantity_thousandths) * i128::from(unit_price_minor),
        1000,
    )
}

/// `amount_minor × tax_rate_bp / 10000`, rounded half-to-even.
pub fn line_tax(amount_minor: i64, tax_rate_bp: i64) -> i64 {
    // |amount| ≤ 10^13 and rate ≤ 10^4: the product fits and so does the result.
    div_round_half_even(i128::from(amount_minor) * i128::from(tax_rate_bp), 10_000) as i64
}

impl LineInput {
    /// The line with its amounts, or the problems named
    /// `lines[i].field`.
    pub fn validate(&self, index: usize, errors: &mut Invalid) -> Option<Line> {
        let before = errors.0.len();
        let name = |f: &str| format!("lines[{index}].{f}");
        let description = clean_text(
            &name("description"),
            Some(&self.description),
            DESCRIPTION_MAX,
            errors,
        );
        if description.is_none() && errors.0.len() == before {
            errors.push(name("description"), "is empty");
        }
        if self.quantity_thousandths <= 0 {
            errors.push(name("quantity_thousandths"), "must be more than 0");
        } else if self.quantity_thousandths > MAX_QUANTITY_THOUSANDTHS {
            errors.push(
                name("quantity_thousandths"),
                format!("must be at most {MAX_QUANTITY_THOUSANDTHS} (one million units)"),
            );
        }
        if self.unit_price_minor < 0 {
            errors.push(name("unit_price_minor"), "cannot be negative");
        } else if self.unit_price_minor > MAX_UNIT_PRICE_MINOR {
            errors.push(
                name("unit_price_minor"),
                format!("must be at most {MAX_UNIT_PRICE_MINOR}"),
            );
        }
        if !(0..=MAX_TAX_RATE_BP).contains(&self.tax_rate_bp) {
            errors.push(
                name("tax_rate_bp"),
                "must be between 0 and 10000 basis points (0–100 %)",
            );
        }
        if errors.0.len() != before {
            return None;
        }
        let amount = line_amount(self.quantity_thousandths, self.unit_price_minor);
        if amount > i128::from(MAX_LINE_AMOUNT_MINOR) {
            errors.push(
                name("unit_price_minor"),
                format!("makes the line worth more than {MAX_LINE_AMOUNT_MINOR} minor units"),
            );
            return None;
        }
        let amount_minor = amount as i64;
        Some(Line {
            description: description.unwrap_or_default(),
            quantity_thousandths: self.quantity_thousandths,
            unit_price_minor: self.unit_price_minor,
            tax_rate_bp: self.tax_rate_bp,
            amount_minor,
            tax_minor: line_tax(amount_minor, self.tax_rate_bp),
        })
    }
}

/// Validates every line of a document (at least one, at most
/// [`MAX_LINES`]), collecting the problems into `errors`.
pub fn validate_lines(inputs: &[LineInput], errors: &mut Invalid) -> Vec<Line> {
    if inputs.is_empty() {
        errors.push("lines", "needs at least one line");
        return vec![];
    }
    if inputs.len() > MAX_LINES {
        errors.push("lines", format!("has more than {MAX_LINES} lines"));
        return vec![];
    }
    inputs
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.validate(i, errors))
        .collect()
}

/// Sums rounded line values; cannot overflow for validated lines.
pub fn totals(lines: &[Line]) -> Totals {
    let subtotal_minor = lines.iter().map(|l| l.amount_minor).sum();
    let tax_minor = lines.iter().map(|l| l.tax_minor).sum();
    Totals {
        subtotal_minor,
        tax_minor,
        total_minor: subtotal_minor + tax_minor,
    }
}

/// "1.5" for 1500 thousandths, "2" for 2000.
pub fn format_quantity(thousandths: i64) -> String {
    let whole = thousandths / 1000;
    let frac = (thousandths % 1000).abs();
    if frac == 0 {
        whole.to_string()
    } else {
        let frac = format!("{frac:03}");
        format!("{whole}.{}", frac.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(q: i64, price: i64, bp: i64) -> LineInput {
        LineInput {
            description: "Service call".into(),
            quantity_thousandths: q,
            unit_price_minor: price,
            tax_rate_bp: bp,
        }
    }

    #[test]
    fn amounts_and_tax_round_half_to_even_per_line() {
        let mut errors = Invalid::default();
        // 1.5 h × 33.33 = 49.995 → 50.00 (tie goes to even 5000)
        let l = line(1500, 3333, 0).validate(0, &mut errors).unwrap();
        assert_eq!(l.amount_minor, 5000);
        // 0.5 × 0.05 = 0.025 → 0.02 (tie goes to even)
        let l = line(500, 5, 0).validate(0, &mut errors).unwrap();
        assert_eq!(l.amount_minor, 2);
        // 10.00 at 8.25 % = 0.825 → 0.82; 30.00 at 8.25 % = 2.475 → 2.48
        let l = line(1000, 1000, 825).validate(0, &mut errors).unwrap();
        assert_eq!(l.tax_minor, 82);
        let l = line(1000, 3000, 825).validate(0, &mut errors).unwrap();
        assert_eq!(l.tax_minor, 248);
        assert!(errors.0.is_empty());
    }

    #[test]
    fn totals_are_sums_of_the_rounded_lines() {
        let mut errors = Invalid::default();
        let lines = validate_lines(
            &[
                line(1000, 1000, 825),
                line(1000, 3000, 825),
                line(2000, 4999, 0),
            ],
            &mut errors,
        );
        let t = totals(&lines);
        assert_eq!(t.subtotal_minor, 1000 + 3000 + 9998);
        assert_eq!(t.tax_minor, 82 + 248);
        assert_eq!(t.total_minor, t.subtotal_minor + t.tax_minor);
    }

    #[test]
    fn every_bad_line_field_is_named() {
        let mut errors = Invalid::default();
        let bad = [
            line(1000, 100, 0),
            LineInput {
                description: "  ".into(),
                quantity_thousandths: 0,
                unit_price_minor: -1,
                tax_rate_bp: 10_001,
            },
        ];
        assert_eq!(validate_lines(&bad, &mut errors).len(), 1);
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "lines[1].description",
                "lines[1].quantity_thousandths",
                "lines[1].unit_price_minor",
                "lines[1].tax_rate_bp"
            ]
        );
        let mut errors = Invalid::default();
        validate_lines(&[], &mut errors);
        assert_eq!(errors.0[0].field, "lines");
    }

    #[test]
    fn a_line_worth_too_much_is_refused() {
        let mut errors = Invalid::default();
        let huge = line(MAX_QUANTITY_THOUSANDTHS, MAX_UNIT_PRICE_MINOR, 0);
        assert!(huge.validate(0, &mut errors).is_none());
        assert_eq!(errors.0[0].field, "lines[0].unit_price_minor");
    }

    #[test]
    fn quantities_read_naturally() {
        assert_eq!(format_quantity(1500), "1.5");
        assert_eq!(format_quantity(2000), "2");
        assert_eq!(format_quantity(1250), "1.25");
        assert_eq!(format_quantity(1), "0.001");
    }
}
