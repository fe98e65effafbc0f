//! The new invoice and new quote form: a customer, a currency, a date and
//! a fixed number of line rows (no script needed), each typed as people
//! write amounts ("1.5" hours at "95.00" with "8.25" % tax).

use super::{Posted, field};
use crate::pages::{Chrome, render};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hearth_domain::Invalid;
use hearth_domain::billing::lines::LineInput;
use hearth_domain::billing::money::{Currency, parse_decimal};

/// Rows on the form; more lines can be added through the API.
pub const ROWS: usize = 6;

pub struct LineRow {
    pub index: usize,
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub tax_rate: String,
}

#[derive(Template)]
#[template(path = "document_form.html")]
pub struct DocumentForm {
    pub chrome: Chrome,
    /// `invoice` or `quote`.
    pub kind: &'static str,
    pub customer_id: String,
    pub customer_name: String,
    pub currency: String,
    /// Due date of an invoice, valid-until of a quote; empty for the default.
    pub date: String,
    pub title: String,
    pub notes: String,
    /// An invoice: issue it at once.
    pub issue: bool,
    pub rows: Vec<LineRow>,
    pub errors: Vec<String>,
}

impl DocumentForm {
    pub fn empty(
        chrome: Chrome,
        kind: &'static str,
        customer_id: String,
        customer_name: String,
        currency: Currency,
    ) -> Self {
        DocumentForm {
            chrome,
            kind,
            customer_id,
            customer_name,
            currency: currency.to_string(),
            date: String::new(),
            title: String::new(),
            notes: String::new(),
            issue: false,
            rows: (0..ROWS)
                .map(|index| LineRow {
                    index,
                    description: String::new(),
                    quantity: "1".into(),
                    unit_price: String::new(),
                    tax_rate: String::new(),
                })
                .collect(),
            errors: vec![],
        }
    }

    /// The form as posted, to show again with its errors.
    pub fn posted(
        chrome: Chrome,
        kind: &'static str,
        customer_name: String,
        form: &Posted,
        errors: &Invalid,
    ) -> Self {
        let value = |name: String| field(form, &name).to_string();
        DocumentForm {
            chrome,
            kind,
            customer_id: field(form, "customer_id").to_string(),
            customer_name,
            currency: field(form, "currency").to_string(),
            date: field(form, "date").to_string(),
            title: field(form, "title").to_string(),
            notes: field(form, "notes").to_string(),
            issue: field(form, "issue") == "on",
            rows: (0..ROWS)
                .map(|index| LineRow {
                    index,
                    description: value(format!("description_{index}")),
                    quantity: value(format!("quantity_{index}")),
                    unit_price: value(format!("unit_price_{index}")),
                    tax_rate: value(format!("tax_rate_{index}")),
                })
                .collect(),
            errors: errors
                .0
                .iter()
                .map(|e| format!("{} {}", e.field.replace('_', " "), e.message))
                .collect(),
        }
    }

    pub fn respond(&self) -> Response {
        let status = if self.errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        match render(self) {
            Ok(html) => (status, html).into_response(),
            Err(r) => r,
        }
    }
}

/// The filled rows as line inputs; rows left blank are skipped. Amounts
/// that cannot be read are reported as `lines[i].field`, like the API does.
pub fn parse_lines(form: &Posted, currency: Currency, errors: &mut Invalid) -> Vec<LineInput> {
    let mut lines = vec![];
    for i in 0..ROWS {
        let get = |name: &str| field(form, &format!("{name}_{i}"));
        let (description, quantity, price, tax) = (
            get("description"),
            get("quantity"),
            get("unit_price"),
            get("tax_rate"),
        );
        if description.is_empty() && price.is_empty() {
            continue;
        }
        let n = lines.len();
        let mut number = |raw: &str, places: u32, name: &str, default: i64| {
            if raw.is_empty() {
                return default;
            }
            parse_decimal(raw, places).unwrap_or_else(|why| {
                errors.push(format!("lines[{n}].{name}"), why);
                default
            })
        };
        let quantity_thousandths = number(quantity, 3, "quantity", 1000);
        let unit_price_minor = number(price, currency.exponent(), "unit_price", 0);
        // A percentage with up to two decimals is a whole number of basis points.
        let tax_rate_bp = number(tax, 2, "tax_rate", 0);
        lines.push(LineInput {
            description: description.to_string(),
            quantity_thousandths,
            unit_price_minor,
            tax_rate_bp,
        });
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_lines_in_minor_units_and_basis_points() {
        let mut form = Posted::new();
        for (k, v) in [
            ("description_0", "Labour"),
            ("quantity_0", "1.5"),
            ("unit_price_0", "95.00"),
            ("tax_rate_0", "8.25"),
            ("description_2", "Filter"),
            ("unit_price_2", "1,200"),
        ] {
            form.insert(k.into(), v.into());
        }
        let mut errors = Invalid::default();
        let lines = parse_lines(&form, Currency::USD, &mut errors);
        assert!(errors.0.is_empty());
        assert_eq!(lines.len(), 2);
        assert_eq!(
            (
                lines[0].quantity_thousandths,
                lines[0].unit_price_minor,
                lines[0].tax_rate_bp
            ),
            (1500, 9500, 825)
        );
        assert_eq!(
            (lines[1].quantity_thousandths, lines[1].unit_price_minor),
            (1000, 120_000)
        );
        form.insert("unit_price_0".into(), "9.999".into());
        parse_lines(&form, Currency::USD, &mut errors);
        assert_eq!(errors.0[0].field, "lines[0].unit_price");
    }
}
