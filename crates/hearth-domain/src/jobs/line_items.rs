//! What a job charges: line items and their totals, in integer minor units
//! so that no sum ever drifts by a cent.

use crate::Invalid;
use crate::customers::clean_text;
use serde::{Deserialize, Serialize, Serializer};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineItemKind {
    /// Labour and visits.
    Service,
    /// Parts and goods.
    Product,
    /// Add-ons: trip charge, after-hours fee, disposal.
    Extra,
}

impl LineItemKind {
    pub const ALL: [LineItemKind; 3] = [
        LineItemKind::Service,
        LineItemKind::Product,
        LineItemKind::Extra,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LineItemKind::Service => "service",
            LineItemKind::Product => "product",
            LineItemKind::Extra => "extra",
        }
    }

    pub fn parse(s: &str) -> Option<LineItemKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A quantity with at most three decimals (1.5 hours, 0.25 gallons), held
/// in thousandths so arithmetic on it is exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity(i64);

pub const QUANTITY_MAX_MILLI: i64 = 100_000_000;

impl Quantity {
    pub const ONE: Quantity = Quantity(1000);

    pub fn from_milli(milli: i64) -> Quantity {
        Quantity(milli)
    }

    pub fn milli(self) -> i64 {
        self.0
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// A number as a client sends it: above 0, at most 100,000, at most
    /// three decimals.
    pub fn parse(n: f64) -> Result<Quantity, &'static str> {
        if !n.is_finite() || n <= 0.0 {
            return Err("must be more than 0");
        }
        let scaled = n * 1000.0;
        let milli = scaled.round();
        if milli > QUANTITY_MAX_MILLI as f64 {
            return Err("must be at most 100000");
        }
        if (scaled - milli).abs() > 1e-6 * scaled.max(1.0) {
            return Err("has more than three decimals");
        }
        Ok(Quantity(milli as i64))
    }
}

/// Whole quantities are written as integers, others as decimals.
impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 1000 == 0 {
            s.serialize_i64(self.0 / 1000)
        } else {
            s.serialize_f64(self.as_f64())
        }
    }
}

/// One stored line of a job.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct LineItem {
    pub kind: LineItemKind,
    pub description: String,
    #[schema(value_type = f64)]
    pub quantity: Quantity,
    /// Price of one unit in minor units (cents).
    pub unit_price_minor: i64,
    pub currency: String,
    /// Quantity × unit price, rounded half up to a whole minor unit.
    pub total_minor: i64,
}

/// A line item as a client sends it.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineItemInput {
    /// service, product or extra (default service).
    pub kind: Option<String>,
    /// Required.
    pub description: Option<String>,
    /// Default 1; at most three decimals.
    pub quantity: Option<f64>,
    /// Required; minor units (cents), not negative.
    pub unit_price_minor: Option<i64>,
    /// Defaults to the job's currency and must equal it.
    pub currency: Option<String>,
}

impl LineItem {
    pub fn as_input(&self) -> LineItemInput {
        LineItemInput {
            kind: Some(self.kind.as_str().to_string()),
            description: Some(self.description.clone()),
            quantity: Some(self.quantity.as_f64()),
            unit_price_minor: Some(self.unit_price_minor),
            currency: Some(self.currency.clone()),
        }
    }
}

/// A job's totals, per kind of line and overall.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct JobTotals {
    pub currency: String,
    pub services_minor: i64,
    pub products_minor: i64,
    pub extras_minor: i64,
    pub total_minor: i64,
}

pub const LINE_ITEMS_MAX: usize = 100;
pub const UNIT_PRICE_MAX_MINOR: i64 = 100_000_000_000;
const DESCRIPTION_MAX: usize = 200;

/// Quantity × unit price in whole minor units, half a unit rounded up.
/// Within the validated bounds the product fits an i64 many times over.
pub fn line_total(quantity: Quantity, unit_price_minor: i64) -> i64 {
    let exact_milli = i128::from(quantity.0) * i128::from(unit_price_minor);
    let rounded = if exact_milli >= 0 {
        (exact_milli + 500) / 1000
    } else {
        (exact_milli - 500) / 1000
    };
    i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
}

/// Sums stored line totals; never recomputes them from floats.
pub fn totals(currency: &str, items: &[LineItem]) -> JobTotals {
    let (mut services, mut products, mut extras) = (0i128, 0i128, 0i128);
    for item in items {
        let t = i128::from(item.total_minor);
        match item.kind {
            LineItemKind::Service => services += t,
            LineItemKind::Product => products += t,
            LineItemKind::Extra => extras += t,
        }
    }
    let clamp = |v: i128| i64::try_from(v).unwrap_or(if v > 0 { i64::MAX } else { i64::MIN });
    JobTotals {
        currency: currency.to_string(),
        services_minor: clamp(services),
        products_minor: clamp(products),
        extras_minor: clamp(extras),
        total_minor: clamp(services + products + extras),
    }
}

pub fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// The currency a business in `region` prices in when a job names none.
pub fn currency_for_region(region: &str) -> &'static str {
    match region.to_ascii_uppercase().as_str() {
        "GB" => "GBP",
        "CA" => "CAD",
        "AU" => "AUD",
        "NZ" => "NZD",
        "IE" | "DE" | "FR" | "ES" | "IT" | "NL" | "BE" | "AT" | "PT" | "FI" | "GR" => "EUR",
        "CH" => "CHF",
        "MX" => "MXN",
        "ZA" => "ZAR",
        "IN" => "INR",
        _ => "USD",
    }
}

/// Validates every line, naming bad fields `line_items[i].field`.
pub fn validate_line_items(
    items: &[LineItemInput],
    currency: &str,
    errors: &mut Invalid,
) -> Vec<LineItem> {
    if items.len() > LINE_ITEMS_MAX {
        errors.push(
            "line_items",
            format!("has more than {LINE_ITEMS_MAX} lines"),
        );
        return vec![];
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let name = |field: &str| format!("line_items[{i}].{field}");
        let before = errors.0.len();
        let kind = match item.kind.as_deref().map(str::trim) {
            None | Some("") => LineItemKind::Service,
            Some(raw) => LineItemKind::parse(raw).unwrap_or_else(|| {
                errors.push(name("kind"), "must be service, product or extra");
                LineItemKind::Service
            }),
        };
        let before_description = errors.0.len();
        let description = clean_text(
            &name("description"),
            item.description.as_deref(),
            DESCRIPTION_MAX,
            errors,
        );
        if description.is_none() && errors.0.len() == before_description {
            errors.push(name("description"), "is required");
        }
        let quantity = match item.quantity {
            None => Quantity::ONE,
            Some(n) => Quantity::parse(n).unwrap_or_else(|why| {
                errors.push(name("quantity"), why);
                Quantity::ONE
            }),
        };
        let unit_price_minor = match item.unit_price_minor {
            None => {
                errors.push(name("unit_price_minor"), "is required");
                0
            }
            Some(p) if p < 0 => {
                errors.push(name("unit_price_minor"), "cannot be negative");
                0
            }
            Some(p) if p > UNIT_PRICE_MAX_MINOR => {
                errors.push(name("unit_price_minor"), "is too large");
                0
            }
            Some(p) => p,
        };
        let item_currency = match item.currency.as_deref().map(str::trim) {
            None | Some("") => currency.to_string(),
            Some(raw) => raw.to_ascii_uppercase(),
        };
        if item_currency != currency {
            errors.push(
                name("currency"),
                format!("must be the job's currency, {currency}"),
            );
        }
        if errors.0.len() == before {
            out.push(LineItem {
                kind,
                description: description.unwrap_or_default(),
                quantity,
                unit_price_minor,
                currency: item_currency,
                total_minor: line_total(quantity, unit_price_minor),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input(kind: &str, quantity: f64, price: i64) -> LineItemInput {
        LineItemInput {
            kind: Some(kind.into()),
            description: Some("Filter".into()),
            quantity: Some(quantity),
            unit_price_minor: Some(price),
            currency: None,
        }
    }

    fn valid(items: &[LineItemInput]) -> Vec<LineItem> {
        let mut errors = Invalid::default();
        let out = validate_line_items(items, "USD", &mut errors);
        assert!(errors.0.is_empty(), "{errors:?}");
        out
    }

    #[test]
    fn halves_round_up_and_kinds_add_up() {
        assert_eq!(line_total(Quantity::parse(1.5).unwrap(), 333), 500);
        assert_eq!(line_total(Quantity::parse(0.001).unwrap(), 499), 0);
        assert_eq!(line_total(Quantity::parse(0.001).unwrap(), 500), 1);
        let items = valid(&[
            input("service", 2.0, 8900),
            input("product", 1.0, 2450),
            input("extra", 1.0, 4900),
        ]);
        let t = totals("USD", &items);
        assert_eq!(
            t,
            JobTotals {
                currency: "USD".into(),
                services_minor: 17800,
                products_minor: 2450,
                extras_minor: 4900,
                total_minor: 25150,
            }
        );
    }

    #[test]
    fn bad_lines_are_named_by_position() {
        let mut errors = Invalid::default();
        let items = [
            input("service", 1.0, 100),
            LineItemInput {
                kind: Some("discount".into()),
                description: None,
                quantity: Some(1.0001),
                unit_price_minor: Some(-5),
                currency: Some("EUR".into()),
            },
        ];
        validate_line_items(&items, "USD", &mut errors);
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "line_items[1].kind",
                "line_items[1].description",
                "line_items[1].quantity",
                "line_items[1].unit_price_minor",
                "line_items[1].currency"
            ]
        );
    }

    #[test]
    fn quantities_are_positive_and_bounded() {
        assert!(Quantity::parse(0.0).is_err());
        assert!(Quantity::parse(-1.0).is_err());
        assert!(Quantity::parse(f64::NAN).is_err());
        assert!(Quantity::parse(100_000.0).is_ok());
        assert!(Quantity::parse(100_000.001).is_err());
        assert_eq!(
            serde_json::to_string(&Quantity::parse(2.0).unwrap()).unwrap(),
            "2"
        );
        assert_eq!(
            serde_json::to_string(&Quantity::parse(1.25).unwrap()).unwrap(),
            "1.25"
        );
    }

    #[test]
    fn currencies() {
        assert_eq!(currency_for_region("us"), "USD");
        assert_eq!(currency_for_region("GB"), "GBP");
        assert!(is_currency_code("EUR"));
        assert!(!is_currency_code("eur"));
        assert!(!is_currency_code("EURO"));
    }

    fn line() -> impl Strategy<Value = (usize, i64, i64)> {
        (
            0usize..3,
            1i64..=QUANTITY_MAX_MILLI,
            0i64..=UNIT_PRICE_MAX_MINOR,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// The total is exactly the sum of the rounded lines and of the
        /// per-kind sums, in any order: nothing drifts.
        #[test]
        fn totals_never_drift(lines in proptest::collection::vec(line(), 0..LINE_ITEMS_MAX)) {
            let inputs: Vec<LineItemInput> = lines
                .iter()
                .map(|(k, q, p)| LineItemInput {
                    kind: Some(LineItemKind::ALL[*k].as_str().into()),
                    description: Some("x".into()),
                    quantity: Some(Quantity::from_milli(*q).as_f64()),
                    unit_price_minor: Some(*p),
                    currency: None,
                })
                .collect();
            let items = valid(&inputs);
            prop_assert_eq!(items.len(), lines.len());
            let mut exact: i128 = 0;
            for (item, (_, q, p)) in items.iter().zip(&lines) {
                // The quantity survives the trip through a JSON number.
                prop_assert_eq!(item.quantity.milli(), *q);
                let reference = (i128::from(*q) * i128::from(*p) + 500) / 1000;
                prop_assert_eq!(i128::from(item.total_minor), reference);
                exact += reference;
            }
            let t = totals("USD", &items);
            prop_assert_eq!(i128::from(t.total_minor), exact);
            prop_assert_eq!(t.total_minor, t.services_minor + t.products_minor + t.extras_minor);
            let mut reversed = items.clone();
            reversed.reverse();
            prop_assert_eq!(totals("USD", &reversed), t.clone());
            // Reading the stored lines back as input gives the same totals.
            let again = valid(&items.iter().map(LineItem::as_input).collect::<Vec<_>>());
            prop_assert_eq!(totals("USD", &again), t);
        }

        /// Whole quantities multiply exactly.
        #[test]
        fn whole_quantities_are_exact(q in 1i64..=100_000, p in 0i64..=UNIT_PRICE_MAX_MINOR) {
            prop_assert_eq!(line_total(Quantity::from_milli(q * 1000), p), q * p);
        }
    }
}
