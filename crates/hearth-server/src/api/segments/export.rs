//! Segment export: the segment's customers as CSV, written batch by batch
//! into the response so memory stays flat at any segment size. Each batch
//! is its own short read, continuing after the last customer id sent.
//! (The customer CSV export of issue 7 is built separately; the two are to
//! be unified, which is why this is one function and one writer.)

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use hearth_domain::segments::SegmentMember;
use hearth_domain::{CustomerId, OrgId};
use hearth_store::segments::{self, Segment};
use hearth_store::{Store, work};

/// Customers read per batch.
const BATCH: u64 = 1_000;

const HEADER: &[&str] = &[
    "id",
    "name",
    "email",
    "phone",
    "bookings",
    "last_booking_at",
    "lifetime_value_minor",
    "membership",
];

/// One CSV field (RFC 4180). Free text that a spreadsheet would run as a
/// formula (=, +, -, @, tab, CR first) is prefixed with `'` (OWASP CSV
/// injection); phone numbers are E.164 by validation, so their `+` stays.
fn field(out: &mut String, value: &str, free_text: bool) {
    let guarded = free_text && value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let needs_quotes = guarded || value.contains([',', '"', '\n', '\r']);
    if needs_quotes {
        out.push('"');
    }
    if guarded {
        out.push('\'');
    }
    for ch in value.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    if needs_quotes {
        out.push('"');
    }
}

fn row(out: &mut String, cells: &[(&str, bool)]) {
    for (i, (value, free_text)) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(out, value, *free_text);
    }
    out.push_str("\r\n");
}

fn member_row(out: &mut String, m: &SegmentMember) {
    let id = m.id.to_string();
    let bookings = m.bookings.to_string();
    let last = m
        .last_booking_at
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default();
    let lifetime = m.lifetime_value_minor.to_string();
    row(
        out,
        &[
            (&id, false),
            (&m.name, true),
            (m.email.as_deref().unwrap_or(""), true),
            (m.phone.as_deref().unwrap_or(""), false),
            (&bookings, false),
            (&last, false),
            (&lifetime, false),
            (&m.membership, false),
        ],
    );
}

/// The streamed `text/csv` response for a segment found in `org`.
pub(crate) fn segment_csv(store: Store, org: OrgId, segment: Segment) -> Response {
    let file = format!(
        "attachment; filename=\"segment-{}.csv\"",
        segment
            .key
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
    );
    let filter = segment.filter;
    // None: the header is next; Some(after): the batch after that id;
    // the stream ends once a batch comes back short.
    let start: Option<Option<CustomerId>> = None;
    let stream = futures::stream::try_unfold((start, false), move |(state, done)| {
        let store = store.clone();
        let filter = filter.clone();
        async move {
            if done {
                return Ok::<_, hearth_store::StoreError>(None);
            }
            let Some(after) = state else {
                let mut out = String::new();
                row(
                    &mut out,
                    &HEADER.iter().map(|h| (*h, false)).collect::<Vec<_>>(),
                );
                return Ok(Some((Bytes::from(out), (Some(None), false))));
            };
            let page = store
                .read(work!(|c| segments::members(c, org, &filter, after, BATCH)))
                .await
                .inspect_err(|e| tracing::warn!(error = %e, "segment export stopped"))?;
            let mut out = String::new();
            for m in &page.items {
                member_row(&mut out, m);
            }
            let next = page.items.last().map(|m| m.id);
            let finished = page.next_cursor.is_none();
            Ok(Some((Bytes::from(out), (Some(next), finished))))
        }
    });
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, file),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        let mut out = String::new();
        row(
            &mut out,
            &[
                ("plain", true),
                ("a,b", true),
                ("say \"hi\"", true),
                ("=HYPERLINK(\"x\")", true),
                ("+15125550188", false),
                ("two\nlines", true),
            ],
        );
        assert_eq!(
            out,
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"'=HYPERLINK(\"\"x\"\")\",+15125550188,\"two\nlines\"\r\n"
        );
    }
}
