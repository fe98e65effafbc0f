//! Notes on a customer: free text a team member writes, attributed to them,
//! pinnable so what everyone must know stays on top.

use crate::history::Actor;
use crate::{CustomerId, Invalid, NoteId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Long enough for access instructions and a relationship's history; short
/// enough that a card full of notes still renders quickly.
pub const BODY_MAX: usize = 10_000;

/// How much of a note the timeline shows.
pub const SUMMARY_CHARS: usize = 80;

/// A stored note.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Note {
    pub id: NoteId,
    pub customer_id: CustomerId,
    pub body: String,
    /// Pinned notes are listed before all others.
    pub pinned: bool,
    /// Who wrote it.
    pub author: Actor,
    /// Increases with every change; send it back with an update.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the text was last changed; `null` if never edited.
    pub edited_at: Option<DateTime<Utc>>,
}

/// A new note as a client sends it.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    /// 1–10,000 characters.
    pub body: String,
    #[serde(default)]
    pub pinned: bool,
}

/// A change to a note: new text, pinned or unpinned, or both.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotePatch {
    /// The `version` the client last read (stale → 409).
    pub version: i64,
    pub body: Option<String>,
    pub pinned: Option<bool>,
}

/// What the audit log compares between two versions of a note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NoteFields {
    pub body: String,
    pub pinned: bool,
}

/// Trims the text and checks its length. Line breaks and tabs are kept
/// (browsers send `\r\n`, stored as `\n`); other control characters are not.
pub fn clean_body(raw: &str) -> Result<String, Invalid> {
    let body = raw.replace("\r\n", "\n");
    let body = body.trim();
    if body.is_empty() {
        return Err(Invalid::field("body", "is empty; write something"));
    }
    if body
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Invalid::field("body", "contains control characters"));
    }
    let chars = body.chars().count();
    if chars > BODY_MAX {
        return Err(Invalid::field(
            "body",
            format!("is {chars} characters long; a note holds at most {BODY_MAX}"),
        ));
    }
    Ok(body.to_string())
}

impl NoteInput {
    pub fn validate(&self) -> Result<NoteFields, Invalid> {
        Ok(NoteFields {
            body: clean_body(&self.body)?,
            pinned: self.pinned,
        })
    }
}

impl NoteFields {
    /// The stored fields with the patch laid over them.
    pub fn patched(&self, patch: &NotePatch) -> Result<NoteFields, Invalid> {
        Ok(NoteFields {
            body: match &patch.body {
                Some(raw) => clean_body(raw)?,
                None => self.body.clone(),
            },
            pinned: patch.pinned.unwrap_or(self.pinned),
        })
    }
}

/// The start of a note on one line, as the timeline shows it: whitespace
/// runs become one space, and a cut is marked with an ellipsis.
pub fn summary(body: &str) -> String {
    let flat = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= SUMMARY_CHARS {
        return flat;
    }
    let cut: String = flat.chars().take(SUMMARY_CHARS).collect();
    // Prefer to end at a word boundary when one is reasonably close.
    let cut = match cut.rfind(' ') {
        Some(i) if i >= SUMMARY_CHARS / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_trimmed_and_line_breaks_kept() {
        assert_eq!(
            clean_body("  Gate code 1234\r\nDog is friendly \n").unwrap(),
            "Gate code 1234\nDog is friendly"
        );
    }

    #[test]
    fn empty_and_oversized_bodies_are_rejected_naming_body() {
        for bad in ["", "   \n\t ", "a\u{7}b"] {
            let err = clean_body(bad).unwrap_err();
            assert_eq!(err.0[0].field, "body", "{bad:?}");
        }
        assert!(clean_body(&"x".repeat(BODY_MAX)).is_ok());
        let err = clean_body(&"x".repeat(BODY_MAX + 1)).unwrap_err();
        assert!(err.0[0].message.contains("10000"));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(clean_body(&"é".repeat(BODY_MAX)).is_ok());
    }

    #[test]
    fn a_patch_keeps_what_it_does_not_send() {
        let stored = NoteFields {
            body: "Call before noon".into(),
            pinned: false,
        };
        let pin = NotePatch {
            version: 1,
            body: None,
            pinned: Some(true),
        };
        assert_eq!(
            stored.patched(&pin).unwrap(),
            NoteFields {
                body: "Call before noon".into(),
                pinned: true
            }
        );
        let blank = NotePatch {
            version: 1,
            body: Some(" ".into()),
            pinned: None,
        };
        assert!(stored.patched(&blank).is_err());
    }

    #[test]
    fn summary_is_one_line_of_about_eighty_characters() {
        assert_eq!(summary("Short\n\nnote"), "Short note");
        let long = "The customer prefers morning visits and asks that technicians park on the street, not the driveway.";
        let s = summary(long);
        assert!(s.ends_with('…'));
        assert!(s.chars().count() <= SUMMARY_CHARS + 1);
        assert!(
            long.starts_with(s.trim_end_matches('…')),
            "cut at a word: {s}"
        );
        let unbroken = "x".repeat(200);
        assert_eq!(summary(&unbroken).chars().count(), SUMMARY_CHARS + 1);
    }
}
