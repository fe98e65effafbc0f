//! An organisation's portal settings: branding (name, colours, logo, its
//! own host name), what customers may do with their membership, and the
//! hours customers may book service in.

use crate::Invalid;
use crate::jobs::{PhotoType, check_photo};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The settings as stored; an organisation that never saved any gets the
/// defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct PortalSettings {
    /// Shown at the top of every portal page; the organisation's name when
    /// empty.
    pub business_name: Option<String>,
    /// `#rrggbb`: buttons and the header; white text on it must be legible.
    pub primary_color: String,
    /// `#rrggbb`: links and highlights, on a white page.
    pub accent_color: String,
    /// A host name such as `portal.acme.example`: requests for it serve
    /// this organisation's portal.
    pub host: Option<String>,
    /// Whether a logo has been uploaded (`PUT /api/v1/portal/settings/logo`).
    pub has_logo: bool,
    /// Customers may pause their membership themselves.
    pub allow_pause: bool,
    /// Customers may cancel their membership themselves.
    pub allow_cancel: bool,
    /// Shown beside an invoice when payments are taken offline.
    pub payment_instructions: Option<String>,
    /// Bookable hours, UTC: slots start at or after `day_start_hour` and
    /// end by `day_end_hour`, Monday to Friday.
    pub day_start_hour: i64,
    pub day_end_hour: i64,
    /// Length of one bookable slot.
    pub slot_minutes: i64,
    /// Send it back with a change; 0 until first saved.
    pub version: i64,
}

impl Default for PortalSettings {
    fn default() -> Self {
        PortalSettings {
            business_name: None,
            primary_color: "#c2410c".into(),
            accent_color: "#0b63b6".into(),
            host: None,
            has_logo: false,
            allow_pause: true,
            allow_cancel: false,
            payment_instructions: None,
            day_start_hour: 8,
            day_end_hour: 17,
            slot_minutes: 120,
            version: 0,
        }
    }
}

/// The whole settings, as `PUT /api/v1/portal/settings` and the settings
/// page send them (the logo has its own upload).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalSettingsInput {
    pub version: i64,
    #[serde(default)]
    pub business_name: Option<String>,
    pub primary_color: String,
    pub accent_color: String,
    #[serde(default)]
    pub host: Option<String>,
    pub allow_pause: bool,
    pub allow_cancel: bool,
    #[serde(default)]
    pub payment_instructions: Option<String>,
    pub day_start_hour: i64,
    pub day_end_hour: i64,
    pub slot_minutes: i64,
}

const NAME_MAX: usize = 200;
const INSTRUCTIONS_MAX: usize = 2_000;
/// WCAG 2 AA for normal text.
pub const MIN_CONTRAST: f64 = 4.5;

fn text(raw: Option<&str>) -> Option<String> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl PortalSettingsInput {
    /// The settings this input asks for, with `has_logo` and `version`
    /// kept from `current`.
    pub fn validate(&self, current: &PortalSettings) -> Result<PortalSettings, Invalid> {
        let mut errors = Invalid::default();
        let business_name = text(self.business_name.as_deref());
        if business_name
            .as_ref()
            .is_some_and(|n| n.chars().count() > NAME_MAX || n.chars().any(char::is_control))
        {
            errors.push(
                "business_name",
                format!("must be at most {NAME_MAX} characters, without control characters"),
            );
        }
        legible_colour(
            "primary_color",
            &self.primary_color,
            "white text on it",
            &mut errors,
        );
        legible_colour(
            "accent_color",
            &self.accent_color,
            "on a white page it",
            &mut errors,
        );
        let host = match text(self.host.as_deref()) {
            None => None,
            Some(h) => match host_name(&h) {
                Ok(h) => Some(h),
                Err(why) => {
                    errors.push("host", why);
                    None
                }
            },
        };
        let payment_instructions = text(self.payment_instructions.as_deref());
        if payment_instructions
            .as_ref()
            .is_some_and(|p| p.chars().count() > INSTRUCTIONS_MAX)
        {
            errors.push(
                "payment_instructions",
                format!("is longer than {INSTRUCTIONS_MAX} characters"),
            );
        }
        if !(0..24).contains(&self.day_start_hour) {
            errors.push("day_start_hour", "must be an hour from 0 to 23");
        }
        if !(1..=24).contains(&self.day_end_hour) || self.day_end_hour <= self.day_start_hour {
            errors.push(
                "day_end_hour",
                "must be an hour from 1 to 24, after day_start_hour",
            );
        }
        if !(15..=480).contains(&self.slot_minutes) || self.slot_minutes % 15 != 0 {
            errors.push(
                "slot_minutes",
                "must be a multiple of 15 from 15 to 480 minutes",
            );
        }
        errors.or_ok(PortalSettings {
            business_name,
            primary_color: self.primary_color.trim().to_lowercase(),
            accent_color: self.accent_color.trim().to_lowercase(),
            host,
            has_logo: current.has_logo,
            allow_pause: self.allow_pause,
            allow_cancel: self.allow_cancel,
            payment_instructions,
            day_start_hour: self.day_start_hour,
            day_end_hour: self.day_end_hour,
            slot_minutes: self.slot_minutes,
            version: current.version,
        })
    }
}

/// A logo is shown on every portal page: small, and a type every browser
/// draws. SVG is refused because it can carry script.
pub const LOGO_MAX_BYTES: usize = 512 * 1024;

/// Checks an uploaded logo: PNG, JPEG or WebP whose bytes match the type
/// (the job photo rules), at most [`LOGO_MAX_BYTES`].
pub fn check_logo(declared: Option<&str>, bytes: &[u8]) -> Result<PhotoType, Invalid> {
    if bytes.len() > LOGO_MAX_BYTES {
        return Err(Invalid::field("file", "is larger than 512 KB"));
    }
    match check_photo(declared, bytes)? {
        PhotoType::Heic => Err(Invalid::field(
            "content_type",
            "must be a PNG, JPEG or WebP image",
        )),
        kind => Ok(kind),
    }
}

/// `#rrggbb` as its three channels.
pub fn parse_colour(raw: &str) -> Option<[u8; 3]> {
    let hex = raw.trim().strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

/// A colour that parses and reads well against white (text on it, or it
/// as text on a white page: the same ratio).
fn legible_colour(field: &str, raw: &str, what: &str, errors: &mut Invalid) {
    match parse_colour(raw) {
        None => errors.push(field, "must be a colour written #rrggbb, such as #1d4ed8"),
        Some(c) => {
            let ratio = contrast(c, [255, 255, 255]);
            if ratio < MIN_CONTRAST {
                errors.push(
                    field,
                    format!(
                        "{what} has contrast {ratio:.1}:1; choose a darker colour (at least {MIN_CONTRAST}:1)"
                    ),
                );
            }
        }
    }
}

/// WCAG 2 contrast ratio between two sRGB colours (1 to 21).
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    fn luminance(c: [u8; 3]) -> f64 {
        let lin = |v: u8| {
            let s = f64::from(v) / 255.0;
            if s <= 0.039_28 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
    }
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// A fully qualified host name as a Host header carries it (no scheme,
/// port or path), lower-cased.
pub fn host_name(raw: &str) -> Result<String, &'static str> {
    let host = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    if host.len() > 253 {
        return Err("is longer than 253 characters");
    }
    if host.contains("://") || host.contains('/') || host.contains(':') {
        return Err(
            "must be a host name only, such as portal.acme.example (no scheme, port or path)",
        );
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return Err("must be a full host name such as portal.acme.example");
    }
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if !labels.iter().all(label_ok) {
        return Err(
            "must be letters, digits and hyphens in dot-separated parts, such as portal.acme.example",
        );
    }
    if labels
        .last()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err("must be a host name, not an IP address");
    }
    Ok(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> PortalSettingsInput {
        PortalSettingsInput {
            version: 0,
            business_name: Some("  Acme Heating ".into()),
            primary_color: "#1D4ED8".into(),
            accent_color: "#0b63b6".into(),
            host: Some("Portal.Acme.Example".into()),
            allow_pause: true,
            allow_cancel: true,
            payment_instructions: None,
            day_start_hour: 8,
            day_end_hour: 17,
            slot_minutes: 120,
        }
    }

    fn fields(e: Invalid) -> Vec<String> {
        e.0.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn good_settings_are_normalised() {
        let s = input().validate(&PortalSettings::default()).unwrap();
        assert_eq!(s.business_name.as_deref(), Some("Acme Heating"));
        assert_eq!(s.primary_color, "#1d4ed8");
        assert_eq!(s.host.as_deref(), Some("portal.acme.example"));
    }

    #[test]
    fn colours_must_be_hex_and_legible() {
        let mut i = input();
        i.primary_color = "red".into();
        i.accent_color = "#ffff00".into();
        assert_eq!(
            fields(i.validate(&PortalSettings::default()).unwrap_err()),
            ["primary_color", "accent_color"]
        );
        assert!(contrast([0, 0, 0], [255, 255, 255]) > 20.9);
        assert!((contrast([255, 255, 255], [255, 255, 255]) - 1.0).abs() < 1e-9);
        assert!(contrast([0x1d, 0x4e, 0xd8], [255, 255, 255]) >= MIN_CONTRAST);
    }

    #[test]
    fn host_names_are_checked() {
        for bad in [
            "https://portal.acme.example",
            "portal.acme.example:8080",
            "localhost",
            "-bad.example",
            "a..example",
            "10.0.0.1",
            "portal.acme.example/path",
        ] {
            assert!(host_name(bad).is_err(), "{bad}");
        }
        assert_eq!(
            host_name("Portal.Acme.Example.").unwrap(),
            "portal.acme.example"
        );
    }

    #[test]
    fn logos_are_small_browser_images() {
        let png = b"\x89PNG\r\n\x1a\n0000";
        assert_eq!(check_logo(Some("image/png"), png).unwrap(), PhotoType::Png);
        let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>";
        assert!(check_logo(Some("image/svg+xml"), svg).is_err());
        let big = [png.as_slice(), &vec![0u8; LOGO_MAX_BYTES]].concat();
        assert_eq!(
            check_logo(Some("image/png"), &big).unwrap_err().0[0].field,
            "file"
        );
    }

    #[test]
    fn hours_and_slots_are_checked() {
        let mut i = input();
        i.day_start_hour = 18;
        i.slot_minutes = 50;
        assert_eq!(
            fields(i.validate(&PortalSettings::default()).unwrap_err()),
            ["day_end_hour", "slot_minutes"]
        );
    }
}
