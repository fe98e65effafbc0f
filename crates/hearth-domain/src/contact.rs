//! Phone numbers and email addresses, parsed once at the edge.

use phonenumber::{Mode, country};
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
        let number = phonenumber::parse(region, trimmed).map_err(|_| "is not a phone number")?;
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

/// The digits of a search query, if it reads like (part of) a phone number.
pub fn phone_digits(query: &str) -> Option<String> {
    let digits: String = query.chars().filter(|c| c.is_ascii_digit()).collect();
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
    }
}
