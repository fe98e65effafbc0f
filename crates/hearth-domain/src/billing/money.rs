//! Amounts of money: an integer count of a currency's minor unit (cents,
//! pence; yen have none) and the ISO 4217 code. Rounding is always explicit
//! and always half-to-even ("banker's rounding"), so a long column of
//! rounded values does not drift upwards.

use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// Active ISO 4217 codes, in order ([`Currency::parse`] searches them).
/// Funds and precious metals are left out: nobody invoices a furnace
/// repair in XAU.
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

/// Currencies without a minor unit, and those with three decimals; every
/// other one has two.
const NO_DECIMALS: &str = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF";
const THREE_DECIMALS: &str = "BHD IQD JOD KWD LYD OMR TND";

/// An ISO 4217 currency code such as `USD`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

/// Documented as the list [`Currency::parse`] takes, so a client generated
/// from the OpenAPI document (or a fuzzer) sends codes that exist.
impl utoipa::PartialSchema for Currency {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .description(Some(
                "An ISO 4217 currency code such as `USD` (lower case is accepted too).",
            ))
            .enum_values(Some(ISO_4217.iter().copied()))
            .examples(["USD"])
            .into()
    }
}

impl ToSchema for Currency {}

impl Currency {
    pub const USD: Currency = Currency(*b"USD");

    /// Three letters naming an active currency; lower case is accepted.
    pub fn parse(raw: &str) -> Result<Currency, &'static str> {
        // Every stored amount's currency is read through here, so no
        // allocation and no linear scan of the list.
        let mut bytes: [u8; 3] = raw
            .trim()
            .as_bytes()
            .try_into()
            .map_err(|_| "must be a three-letter ISO 4217 code such as USD")?;
        bytes.make_ascii_uppercase();
        if !bytes.iter().all(u8::is_ascii_uppercase) {
            return Err("must be a three-letter ISO 4217 code such as USD");
        }
        let code = Currency(bytes);
        if ISO_4217.binary_search(&code.as_str()).is_err() {
            return Err("is not an ISO 4217 currency code");
        }
        Ok(code)
    }

    pub fn as_str(&self) -> &str {
        // Only ever built from ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Decimal places of the minor unit: 2 for USD, 0 for JPY, 3 for KWD.
    pub fn exponent(self) -> u32 {
        let code = self.as_str();
        if NO_DECIMALS.split(' ').any(|c| c == code) {
            0
        } else if THREE_DECIMALS.split(' ').any(|c| c == code) {
            3
        } else {
            2
        }
    }

    /// Minor units in one major unit: 100 for USD, 1 for JPY.
    pub fn minor_per_unit(self) -> i64 {
        10_i64.pow(self.exponent())
    }
}

impl TryFrom<String> for Currency {
    type Error = &'static str;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Currency::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_string()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Default for Currency {
    fn default() -> Self {
        Currency::USD
    }
}

/// An amount in a currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Money {
    /// Integer count of the minor unit: 1050 is 10.50 USD, 1050 JPY.
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// The sum, if both are in one currency and it fits.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        (self.currency == other.currency)
            .then(|| self.minor.checked_add(other.minor))
            .flatten()
            .map(|minor| Money::new(minor, self.currency))
    }

    /// `1,234.50` — the amount without the code.
    pub fn amount(&self) -> String {
        format_minor(self.minor, self.currency)
    }
}

/// "1,234.50 USD".
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount(), self.currency)
    }
}

/// Minor units written in major units with thousands separators:
/// `123450` USD → `1,234.50`; `-5` USD → `-0.05`; `1200` JPY → `1,200`.
pub fn format_minor(minor: i64, currency: Currency) -> String {
    let exp = currency.exponent() as usize;
    let digits = minor.unsigned_abs().to_string();
    let padded = format!("{digits:0>width$}", width = exp + 1);
    let (whole, frac) = padded.split_at(padded.len() - exp);
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if minor < 0 { "-" } else { "" };
    if exp == 0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// Reads a decimal number typed by a person ("12.5", "1,200.00") as an
/// integer count of `10^-places`: `parse_decimal("12.5", 2)` is `1250`.
/// More decimals than `places` are refused rather than rounded, so what
/// was typed is what is stored.
pub fn parse_decimal(raw: &str, places: u32) -> Result<i64, String> {
    let text: String = raw.trim().chars().filter(|c| *c != ',').collect();
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, text),
    };
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err("is not a number".into());
    }
    if frac.len() > places as usize {
        return Err(format!("has more than {places} decimal places"));
    }
    let scale = 10_i128.pow(places);
    let whole: i128 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| "is too large".to_string())?
    };
    let frac_value: i128 = if frac.is_empty() {
        0
    } else {
        frac.parse::<i128>()
            .map_err(|_| "is not a number".to_string())?
            * 10_i128.pow(places - frac.len() as u32)
    };
    let value = whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(frac_value))
        .ok_or_else(|| "is too large".to_string())?;
    let value = if negative { -value } else { value };
    i64::try_from(value).map_err(|_| "is too large".to_string())
}

/// `n / d` rounded to the nearest integer, ties to the even neighbour.
/// `d` must be positive.
pub fn div_round_half_even(n: i128, d: i128) -> i128 {
    debug_assert!(d > 0);
    let q = n.div_euclid(d);
    let r = n.rem_euclid(d);
    match (2 * r).cmp(&d) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_currencies_are_the_ones_taken() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(Currency::schema()).unwrap();
        let codes = schema["enum"].as_array().unwrap();
        assert!(codes.len() > 150, "{schema}");
        for code in codes {
            let code = code.as_str().unwrap();
            assert_eq!(
                Currency::parse(code).map(|c| c.as_str().to_string()),
                Ok(code.into())
            );
        }
    }

    #[test]
    fn currencies_are_checked_and_know_their_decimals() {
        assert_eq!(Currency::parse("usd").unwrap().as_str(), "USD");
        assert_eq!(Currency::parse("USD").unwrap().exponent(), 2);
        assert_eq!(Currency::parse("JPY").unwrap().exponent(), 0);
        assert_eq!(Currency::parse("KWD").unwrap().minor_per_unit(), 1000);
        assert!(Currency::parse("ABC").is_err());
        assert!(Currency::parse("US").is_err());
        assert!(Currency::parse("U$D").is_err());
        let json = serde_json::to_value(Currency::USD).unwrap();
        assert_eq!(json, "USD");
        assert!(serde_json::from_value::<Currency>("XYZ".into()).is_err());
    }

    #[test]
    fn amounts_format_with_their_currency() {
        let usd = Currency::USD;
        assert_eq!(Money::new(123450, usd).to_string(), "1,234.50 USD");
        assert_eq!(format_minor(-5, usd), "-0.05");
        assert_eq!(format_minor(0, usd), "0.00");
        assert_eq!(format_minor(100_000_000, usd), "1,000,000.00");
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(format_minor(1200, jpy), "1,200");
    }

    #[test]
    fn typed_decimals_become_integers_without_rounding() {
        assert_eq!(parse_decimal("12.5", 2), Ok(1250));
        assert_eq!(parse_decimal("1,200.00", 2), Ok(120000));
        assert_eq!(parse_decimal(".75", 2), Ok(75));
        assert_eq!(parse_decimal("-3", 2), Ok(-300));
        assert_eq!(parse_decimal("1.5", 3), Ok(1500));
        assert!(parse_decimal("1.005", 2).is_err());
        assert!(parse_decimal("abc", 2).is_err());
        assert!(parse_decimal("", 2).is_err());
        assert!(parse_decimal("99999999999999999999", 2).is_err());
    }

    #[test]
    fn rounding_goes_half_to_even() {
        assert_eq!(div_round_half_even(5, 10), 0);
        assert_eq!(div_round_half_even(15, 10), 2);
        assert_eq!(div_round_half_even(25, 10), 2);
        assert_eq!(div_round_half_even(26, 10), 3);
        assert_eq!(div_round_half_even(-15, 10), -2);
        assert_eq!(div_round_half_even(-25, 10), -2);
        assert_eq!(div_round_half_even(-26, 10), -3);
        assert_eq!(div_round_half_even(7, 1), 7);
    }

    #[test]
    fn sums_stay_in_one_currency() {
        let usd = Money::new(100, Currency::USD);
        let eur = Money::new(100, Currency::parse("EUR").unwrap());
        assert_eq!(usd.checked_add(usd), Some(Money::new(200, Currency::USD)));
        assert_eq!(usd.checked_add(eur), None);
        assert_eq!(Money::new(i64::MAX, Currency::USD).checked_add(usd), None);
    }
}
