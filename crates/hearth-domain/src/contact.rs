//! Phone numbers and email addresses, parsed once at the edge.

use phonenumber::country::{self, Source};
use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, PhoneNumber};
use std::str::FromStr;

/// A phone number in E.164 form (`+15125550100`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Parses any common written form. A number without a country code is
    /// read in the organisation's default region, which is how a dispatcher
    /// types local numbers.
    pub fn parse(raw: &str, default_region: &str) -> Result<Phone, &'static str> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("is empty");
        }
        if trimmed.chars().filter(|c| c.is_ascii_digit()).count() < 3 {
            return Err("is not a phone number");
        }
        let region = country::Id::from_str(default_region).ok();
        let number = read(region, trimmed).ok_or("is not a phone number")?;
        if !phonenumber::is_valid(&number) {
            return Err("is not a valid phone number for its country");
        }
        Ok(Phone(number.format().mode(Mode::E164).to_string()))
    }

    /// Every way the same number can be asked for maps to this one key, so a
    /// caller-ID lookup is a single index probe.
    pub fn lookup_key(raw: &str, default_region: &str) -> Option<String> {
        Phone::parse(raw, default_region).ok().map(|p| p.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Reads a written number with the `phonenumber` crate, around two of its
/// faults (0.3.10, the latest):
/// - given a default region, it strips *that region's* national prefix
///   from a number that names another country, so `+49 151 23456789` read
///   in the US lost its `1` (a different, valid German number) and
///   `+33 1 42 68 53 00` became invalid. A number whose country code is not
///   the region's is therefore read again, written with `+`, without a
///   default region: the crate then strips the prefix of the number's own
///   country (which also reads `+44 (0)20 …`).
/// - it knows `00` as the international prefix only in regions that dial
///   it, so `0044 20 …` typed in the US (which dials 011) was refused. No
///   region's own numbers start with `00`, so a number that does and reads
///   as nothing in the region is read as `+…`.
fn read(region: Option<country::Id>, text: &str) -> Option<PhoneNumber> {
    let first = phonenumber::parse(region, text).ok();
    let own = region.and_then(|r| DATABASE.by_id(r.as_ref()));
    let international = match &first {
        Some(n) if own.is_none_or(|m| m.country_code() == n.code().value()) => None,
        Some(n) => match n.code().source() {
            Source::Default => None,
            Source::Plus => Some(text.to_string()),
            // The digits after the region's international prefix.
            Source::Idd | Source::Number => {
                let dialled = digits(text);
                own.and_then(|m| m.international_prefix())
                    .and_then(|idd| idd.find(&dialled))
                    .filter(|m| m.start() == 0)
                    .map(|m| format!("+{}", after_digits(text, m.end())))
            }
        },
        None => None,
    };
    let international = international.or_else(|| {
        let rest = text.strip_prefix("00")?;
        let valid = first.as_ref().is_some_and(phonenumber::is_valid);
        (!valid).then(|| format!("+{rest}"))
    });
    match international {
        Some(text) => phonenumber::parse(None, text).ok().or(first),
        None => first,
    }
}

/// What follows the first `n` digits of `text`.
fn after_digits(text: &str, n: usize) -> &str {
    let mut seen = 0;
    for (i, c) in text.char_indices() {
        if seen == n {
            return &text[i..];
        }
        if c.is_ascii_digit() {
            seen += 1;
        }
    }
    ""
}

/// Region codes the phone library knows, for validating org settings.
pub fn is_known_region(code: &str) -> bool {
    country::Id::from_str(code).is_ok()
}

/// An email address, lower-cased so that matching and de-duplication agree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, &'static str> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("is empty");
        }
        if trimmed.len() > 254 {
            return Err("is longer than 254 characters");
        }
        let parsed = email_address::EmailAddress::from_str(trimmed)
            .map_err(|_| "is not an email address")?;
        if !parsed.domain().contains('.') {
            return Err("needs a domain such as example.com");
        }
        Ok(Email(trimmed.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The digits of `text`, in order.
pub fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// The digits of a search query, if it reads like (part of) a phone number,
/// as the stored number (E.164 without its `+`) has them: a trunk `(0)`
/// written after the country code and the international prefix `00` are
/// not part of it (`0044 (0)20 7946` finds +44 20 7946 …).
pub fn phone_digits(query: &str) -> Option<String> {
    let digits = digits(&query.replace("(0)", ""));
    let digits = match digits.strip_prefix("00") {
        Some(rest) => rest.to_string(),
        None => digits,
    };
    let only_phone_chars = query
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    (only_phone_chars && digits.len() >= 3).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_and_international_forms_agree() {
        let a = Phone::parse("(512) 555-0134", "US").unwrap();
        let b = Phone::parse("+1 512 555 0134", "GB").unwrap();
        let c = Phone::parse("512.555.0134", "US").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a.as_str(), "+15125550134");
    }

    /// Numbers of many countries as people write them, read in an
    /// organisation of another country or of their own.
    #[test]
    fn international_forms_keep_their_own_country() {
        for (raw, region, e164) in [
            ("+33 1 42 68 53 00", "US", "+33142685300"),
            ("+49 151 23456789", "US", "+4915123456789"),
            ("+55 11 91234-5678", "US", "+5511912345678"),
            ("+353 1 234 5678", "US", "+35312345678"),
            ("+86 10 6552 9988", "US", "+861065529988"),
            ("+44 (0)20 7946 0958", "US", "+442079460958"),
            ("+81 (0)3-1234-5678", "US", "+81312345678"),
            ("+61 (0)2 9876 5432", "US", "+61298765432"),
            ("+54 9 11 1234-5678", "US", "+5491112345678"),
            ("+1 415 555 2671", "DE", "+14155552671"),
            ("0044 20 7946 0958", "US", "+442079460958"),
            ("0044 20 7946 0958", "GB", "+442079460958"),
            ("011 44 20 7946 0958", "US", "+442079460958"),
            ("00 33 6 12 34 56 78", "DE", "+33612345678"),
            ("030 901820", "DE", "+4930901820"),
            ("06 12 34 56 78", "FR", "+33612345678"),
            ("(11) 91234-5678", "BR", "+5511912345678"),
            ("98765 43210", "IN", "+919876543210"),
        ] {
            let read = Phone::parse(raw, region).map(Phone::into_string);
            assert_eq!(read.as_deref(), Ok(e164), "{raw} in {region}");
        }
    }

    /// Every region's example fixed-line and mobile numbers (the phone
    /// library's metadata), written the ways people write them, read in
    /// organisations of other countries and of their own.
    #[test]
    fn every_regions_example_numbers_read_back() {
        let mut wrong = Vec::new();
        let mut read = 0;
        for m in DATABASE.iter().filter(|m| m.id() != "001") {
            let descriptors = m.descriptors();
            for nsn in [descriptors.fixed_line(), descriptors.mobile()]
                .into_iter()
                .flatten()
                .filter_map(|d| d.example())
            {
                let e164 = format!("+{}{nsn}", m.country_code());
                let number = phonenumber::parse(None, &e164).unwrap();
                if !phonenumber::is_valid(&number) {
                    continue;
                }
                let international = number.format().mode(Mode::International).to_string();
                let national = number.format().mode(Mode::National).to_string();
                let dialled = format!("00{}", &international[1..]);
                let mut forms = vec![
                    (e164.clone(), "US"),
                    (e164.clone(), "DE"),
                    (international.clone(), "US"),
                    (international.clone(), "GB"),
                    (international, m.id()),
                    (dialled.clone(), "US"),
                    (dialled, "FR"),
                ];
                // Rwanda's fixed lines start with its country code, 250,
                // which the library then takes for one.
                if !(m.id() == "RW" && nsn.starts_with("250")) {
                    forms.push((national, m.id()));
                }
                for (raw, region) in forms {
                    read += 1;
                    match Phone::parse(&raw, region) {
                        Ok(p) if p.as_str() == e164 => {}
                        other => wrong.push(format!("{raw} in {region}: {other:?}, not {e164}")),
                    }
                }
            }
        }
        assert!(read > 3000, "{read}");
        assert!(wrong.is_empty(), "{} of {read}: {wrong:#?}", wrong.len());
    }

    #[test]
    fn numbers_of_other_countries_parse() {
        assert_eq!(
            Phone::parse("020 7946 0018", "GB").unwrap().as_str(),
            "+442079460018"
        );
        assert_eq!(
            Phone::parse("+49 30 901820", "US").unwrap().as_str(),
            "+4930901820"
        );
        assert_eq!(
            Phone::parse("0412 345 678", "AU").unwrap().as_str(),
            "+61412345678"
        );
    }

    #[test]
    fn garbage_is_rejected() {
        assert!(Phone::parse("call me", "US").is_err());
        assert!(Phone::parse("12", "US").is_err());
        assert!(Phone::parse("", "US").is_err());
        assert!(Phone::parse("+1 000", "US").is_err());
    }

    #[test]
    fn emails_are_lowercased_and_checked() {
        assert_eq!(
            Email::parse(" Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
        assert!(Email::parse("ann@").is_err());
        assert!(Email::parse("ann@localhost").is_err());
        assert!(Email::parse("not an email").is_err());
    }

    #[test]
    fn phone_digits_only_for_phone_like_queries() {
        assert_eq!(phone_digits("(512) 555"), Some("512555".into()));
        assert_eq!(phone_digits("smith"), None);
        assert_eq!(phone_digits("12"), None);
        assert_eq!(phone_digits("0044 (0)20 7946"), Some("44207946".into()));
        assert_eq!(phone_digits("+44 (0)20 7946"), Some("44207946".into()));
    }
}
