//! Tags: labels an organisation defines once ("Supplier", "VIP",
//! "Family member") and puts on customers, so staff see at a glance who is
//! calling.

use crate::{Invalid, TagId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const NAME_MAX: usize = 40;

/// The colour a tag gets when none is chosen: a neutral slate.
pub const DEFAULT_COLOUR: &str = "#64748b";

/// A tag of the organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Tag {
    pub id: TagId,
    /// Unique in the organisation, ignoring case.
    pub name: String,
    /// `#rrggbb`, lower case.
    pub colour: String,
    /// Increases with every change; send it back with an update.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new tag as a client sends it.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagInput {
    /// 1–40 characters.
    #[schema(pattern = "\\S")]
    pub name: String,
    /// `#rrggbb`; defaults to a neutral grey.
    #[schema(pattern = "^\\s*#[0-9A-Fa-f]{6}\\s*$")]
    pub colour: Option<String>,
}

/// A rename, a new colour, or both.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagPatch {
    /// The `version` the client last read (stale → 409).
    pub version: i64,
    #[schema(pattern = "\\S")]
    pub name: Option<String>,
    #[schema(pattern = "^\\s*#[0-9A-Fa-f]{6}\\s*$")]
    pub colour: Option<String>,
}

/// A tag's validated fields; serialised, what the audit log compares.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TagFields {
    pub name: String,
    pub colour: String,
}

impl TagFields {
    /// What makes two names the same tag: "vip", "VIP" and "Vip" are one.
    pub fn name_key(&self) -> String {
        name_key(&self.name)
    }
}

pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Trims a tag name; inner runs of spaces become one so look-alike names
/// cannot coexist.
pub fn clean_name(raw: &str) -> Result<String, &'static str> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err("is empty; give the tag a name");
    }
    if name.chars().any(char::is_control) {
        return Err("contains control characters");
    }
    if name.chars().count() > NAME_MAX {
        return Err("is longer than 40 characters");
    }
    Ok(name)
}

/// `#rrggbb` in any case, stored lower-case.
pub fn clean_colour(raw: &str) -> Result<String, &'static str> {
    let colour = raw.trim();
    let hex = colour.strip_prefix('#').unwrap_or("");
    if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(colour.to_ascii_lowercase())
    } else {
        Err("must be a colour written #rrggbb, e.g. #1d4ed8")
    }
}

fn check(name: &str, colour: &str) -> Result<TagFields, Invalid> {
    let mut errors = Invalid::default();
    let name = clean_name(name).unwrap_or_else(|why| {
        errors.push("name", why);
        String::new()
    });
    let colour = clean_colour(colour).unwrap_or_else(|why| {
        errors.push("colour", why);
        String::new()
    });
    errors.or_ok(TagFields { name, colour })
}

impl TagInput {
    pub fn validate(&self) -> Result<TagFields, Invalid> {
        check(&self.name, self.colour.as_deref().unwrap_or(DEFAULT_COLOUR))
    }
}

impl TagFields {
    pub fn patched(&self, patch: &TagPatch) -> Result<TagFields, Invalid> {
        check(
            patch.name.as_deref().unwrap_or(&self.name),
            patch.colour.as_deref().unwrap_or(&self.colour),
        )
    }
}

/// Black or white, whichever reads better on the tag's colour (WCAG
/// relative luminance), so any colour an organisation picks stays legible.
pub fn text_colour(background: &str) -> &'static str {
    let hex = background.trim_start_matches('#');
    let channel = |i: usize| {
        let v = u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
        let c = f64::from(v) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
    // The luminance at which black and white text have equal contrast.
    if luminance > 0.179 {
        "#000000"
    } else {
        "#ffffff"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blank, padded, control and over-long texts, and colours right and
    /// wrong, against what the schema says.
    const SAMPLES: &[&str] = &[
        "",
        " ",
        "\t\n",
        "\u{a0}",
        "VIP",
        " VIP ",
        "a\u{1}b",
        "#1d4ed8",
        " #1D4ED8 ",
        "\u{a0}#1d4ed8",
        "1d4ed8",
        "#1d4ed",
        "#1d4ed8a",
        "#gggggg",
        "#1d4ed8\n",
    ];

    #[test]
    fn the_documented_patterns_are_the_enforced_rules() {
        let tag = |name: &str, colour: &str| TagInput {
            name: name.into(),
            colour: Some(colour.into()),
        };
        let name_ok = |name: &str| tag(name, DEFAULT_COLOUR).validate().is_ok();
        let colour_ok = |colour: &str| tag("VIP", colour).validate().is_ok();
        crate::wire::assert_documented_pattern::<TagInput>("colour", SAMPLES, colour_ok);
        crate::wire::assert_documented_pattern::<TagPatch>("colour", SAMPLES, colour_ok);
        // The pattern says "not blank"; a name may be refused for more
        // (control characters, length), but every blank one is.
        let blank = |name: &str| name.trim().is_empty();
        crate::wire::assert_documented_pattern::<TagInput>("name", SAMPLES, |s| !blank(s));
        for sample in SAMPLES.iter().filter(|s| blank(s)) {
            assert!(!name_ok(sample), "{sample:?}");
        }
    }

    #[test]
    fn names_are_trimmed_and_compared_without_case() {
        let f = TagInput {
            name: "  Family   member ".into(),
            colour: None,
        }
        .validate()
        .unwrap();
        assert_eq!(f.name, "Family member");
        assert_eq!(f.colour, DEFAULT_COLOUR);
        assert_eq!(f.name_key(), name_key("FAMILY MEMBER"));
    }

    #[test]
    fn every_bad_field_is_named() {
        let err = TagInput {
            name: "x".repeat(41),
            colour: Some("red".into()),
        }
        .validate()
        .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "colour"]);
        assert!(clean_name("").is_err());
        assert!(clean_name(&"é".repeat(40)).is_ok());
    }

    #[test]
    fn colours_are_six_hex_digits() {
        assert_eq!(clean_colour("#1D4ED8").unwrap(), "#1d4ed8");
        for bad in ["1d4ed8", "#1d4ed", "#1d4ed8f", "#ggggggg", "#12345g", ""] {
            assert!(clean_colour(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_patch_keeps_what_it_does_not_send() {
        let f = TagFields {
            name: "VIP".into(),
            colour: "#b91c1c".into(),
        };
        let recolour = TagPatch {
            version: 1,
            name: None,
            colour: Some("#15803D".into()),
        };
        assert_eq!(
            f.patched(&recolour).unwrap(),
            TagFields {
                name: "VIP".into(),
                colour: "#15803d".into()
            }
        );
    }

    #[test]
    fn chip_text_stays_legible() {
        assert_eq!(text_colour("#ffffff"), "#000000");
        assert_eq!(text_colour("#fde047"), "#000000");
        assert_eq!(text_colour("#1d4ed8"), "#ffffff");
        assert_eq!(text_colour("#000000"), "#ffffff");
    }
}
