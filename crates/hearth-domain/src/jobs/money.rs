//! Money as pages show it and as people type it: integer minor units,
//! two decimals.

use super::{JobTotals, LineItem};

/// "USD 1,234.50" for pages: two decimals, thousands grouped.
pub fn money(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{currency} {sign}{grouped}.{:02}", abs % 100)
}

/// "89.50" → 8950: a price typed with at most two decimals, read exactly.
pub fn parse_money(raw: &str) -> Option<i64> {
    let raw = raw.trim().replace(',', "");
    let (whole, cents) = match raw.split_once('.') {
        Some((w, c)) => (w.to_string(), c.to_string()),
        None => (raw.clone(), String::new()),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(&whole) || cents.len() > 2 || !(cents.is_empty() || digits(&cents)) {
        return None;
    }
    let cents: i64 = format!("{cents:0<2}").parse().ok()?;
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)
}

impl LineItem {
    pub fn unit_price(&self) -> String {
        money(self.unit_price_minor, &self.currency)
    }

    pub fn total(&self) -> String {
        money(self.total_minor, &self.currency)
    }
}

impl JobTotals {
    pub fn total(&self) -> String {
        money(self.total_minor, &self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_shown_and_read_exactly() {
        assert_eq!(money(0, "USD"), "USD 0.00");
        assert_eq!(money(123_456_789, "USD"), "USD 1,234,567.89");
        assert_eq!(money(-5, "EUR"), "EUR -0.05");
        assert_eq!(parse_money("89.5"), Some(8950));
        assert_eq!(parse_money(" 1,200 "), Some(120_000));
        assert_eq!(parse_money("0.07"), Some(7));
        for bad in ["", "1.234", "-1", "abc", "1.x", ".5"] {
            assert_eq!(parse_money(bad), None, "{bad}");
        }
    }
}
