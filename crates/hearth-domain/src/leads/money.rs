//! Money: integer minor units of an ISO 4217 currency, parsed from and
//! shown as people write amounts.

use crate::billing::money::Currency;

pub const DEFAULT_CURRENCY: &str = "USD";

/// An ISO 4217 code, upper-cased. The list and the decimals are billing's
/// ([`Currency`]): one table of currencies for leads and invoices alike.
pub fn parse_currency(raw: &str) -> Result<String, &'static str> {
    Currency::parse(raw)
        .map(|c| c.as_str().to_string())
        .map_err(|_| "is not an ISO 4217 currency code such as USD")
}

/// Digits after the decimal point for a currency.
pub fn minor_digits(currency: &str) -> u32 {
    Currency::parse(currency).map_or(2, Currency::exponent)
}

/// "$1,250.00", "€80.50", "1,000 JPY".
pub fn format_money(value_minor: i64, currency: &str) -> String {
    let digits = minor_digits(currency);
    let scale = 10_i64.pow(digits);
    let (sign, abs) = if value_minor < 0 {
        ("-", value_minor.unsigned_abs())
    } else {
        ("", value_minor.unsigned_abs())
    };
    let whole = (abs / scale as u64).to_string();
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let amount = if digits == 0 {
        grouped
    } else {
        format!(
            "{grouped}.{:0width$}",
            abs % scale as u64,
            width = digits as usize
        )
    };
    match currency {
        "USD" => format!("{sign}${amount}"),
        "EUR" => format!("{sign}€{amount}"),
        "GBP" => format!("{sign}£{amount}"),
        other => format!("{sign}{amount} {other}"),
    }
}

/// Reads an amount typed in major units ("1,250.50", "$80") into minor
/// units of `currency`.
pub fn parse_money(raw: &str, currency: &str) -> Result<i64, &'static str> {
    let cleaned: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '$' | '€' | '£'))
        .collect();
    if cleaned.is_empty() {
        return Ok(0);
    }
    let digits = minor_digits(currency) as usize;
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty()
        || !all_digits(whole)
        || !all_digits(fraction)
        || whole.len() > 15
    {
        return Err("is not an amount such as 1250.00");
    }
    if fraction.len() > digits {
        return Err("has more decimals than the currency has");
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| "is too large")?
    };
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<digits$}")
            .parse()
            .map_err(|_| "is not an amount")?
    };
    Ok(whole * 10_i64.pow(digits as u32) + fraction)
}

/// Minor units written back in major units for a form ("1250.50").
pub fn money_input(value_minor: i64, currency: &str) -> String {
    let digits = minor_digits(currency);
    if digits == 0 {
        return value_minor.to_string();
    }
    let scale = 10_i64.pow(digits);
    format!(
        "{}.{:0width$}",
        value_minor / scale,
        value_minor % scale,
        width = digits as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_shown_in_its_currency() {
        assert_eq!(format_money(125_000, "USD"), "$1,250.00");
        assert_eq!(format_money(8_050, "EUR"), "€80.50");
        assert_eq!(format_money(1_000, "JPY"), "1,000 JPY");
        assert_eq!(format_money(5, "GBP"), "£0.05");
        assert_eq!(format_money(1_234_567_890, "USD"), "$12,345,678.90");
    }

    #[test]
    fn typed_amounts_become_minor_units() {
        assert_eq!(parse_money("1,250.5", "USD"), Ok(125_050));
        assert_eq!(parse_money("$80", "USD"), Ok(8_000));
        assert_eq!(parse_money("", "USD"), Ok(0));
        assert_eq!(parse_money("1000", "JPY"), Ok(1_000));
        assert!(parse_money("12.345", "USD").is_err());
        assert!(parse_money("ten", "USD").is_err());
        assert!(parse_money("-5", "USD").is_err());
        assert_eq!(money_input(125_050, "USD"), "1250.50");
        assert_eq!(money_input(1_000, "JPY"), "1000");
    }

    #[test]
    fn currencies_are_iso_codes() {
        assert_eq!(parse_currency("eur").unwrap(), "EUR");
        assert!(parse_currency("XYZ").is_err());
        assert!(parse_currency("").is_err());
    }
}
