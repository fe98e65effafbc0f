//! Money: integer minor units of an ISO 4217 currency, parsed from and
//! shown as people write amounts.

pub const DEFAULT_CURRENCY: &str = "USD";

/// Active ISO 4217 codes.
const CURRENCIES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL \
BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL \
GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD \
KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD \
OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP \
SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL";

/// An ISO 4217 code, upper-cased.
pub fn parse_currency(raw: &str) -> Result<String, &'static str> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 3 && CURRENCIES.split(' ').any(|c| c == code) {
        Ok(code)
    } else {
        Err("is not an ISO 4217 currency code such as USD")
    }
}

/// Digits after the decimal point for a currency.
pub fn minor_digits(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
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
