//! Quotes (estimates): priced line items a customer accepts or declines
//! before work is booked. When jobs exist, an accepted quote becomes a job
//! (`job_id`).

use super::lines::{Line, LineInput, Totals, totals, validate_lines};
use super::money::Currency;
use crate::customers::clean_text;
use crate::jobs::LineItemInput;
use crate::words::word_enum;
use crate::{CustomerId, Invalid, QuoteId};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

word_enum!(
    /// Where a quote stands. `expired` is also what a sent or viewed quote
    /// reads as once `valid_until` has passed.
    QuoteStatus {
        Draft => "draft",
        Sent => "sent",
        Viewed => "viewed",
        Accepted => "accepted",
        Declined => "declined",
        Expired => "expired",
    }
);

/// What a person edits on a quote, validated; serialised, it is what the
/// audit log compares.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuoteFields {
    pub title: Option<String>,
    pub currency: Currency,
    pub lines: Vec<Line>,
    pub valid_until: NaiveDate,
    pub notes: Option<String>,
}

/// A stored quote, its status as of today.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Quote {
    pub id: QuoteId,
    pub customer_id: CustomerId,
    pub title: Option<String>,
    pub status: QuoteStatus,
    pub currency: Currency,
    pub lines: Vec<Line>,
    #[serde(flatten)]
    pub totals: Totals,
    /// The last day the customer can accept it.
    pub valid_until: NaiveDate,
    pub notes: Option<String>,
    /// The job an accepted quote became, once jobs exist.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub job_id: Option<Uuid>,
    /// How often the customer opened it.
    pub view_count: i64,
    pub last_viewed_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    /// When it was accepted or declined.
    pub decided_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Quote {
    /// The quote's lines as the line items of the job it becomes; tax is
    /// charged on the invoice, not the job.
    pub fn job_line_items(&self) -> Vec<LineItemInput> {
        self.lines
            .iter()
            .map(|l| LineItemInput {
                kind: Some("service".into()),
                description: Some(l.description.clone()),
                quantity: Some(l.quantity_thousandths as f64 / 1000.0),
                unit_price_minor: Some(l.unit_price_minor),
                currency: Some(self.currency.as_str().to_string()),
            })
            .collect()
    }
}

/// A new quote (always a draft).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteInput {
    pub customer_id: CustomerId,
    pub title: Option<String>,
    /// Defaults to the organisation's currency.
    pub currency: Option<Currency>,
    pub lines: Vec<LineInput>,
    /// Defaults to today plus the organisation's quote validity.
    pub valid_until: Option<NaiveDate>,
    pub notes: Option<String>,
}

/// A change to a draft quote; absent fields stay, `null` clears.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotePatch {
    pub version: i64,
    #[serde(default, deserialize_with = "crate::wire::present")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    pub currency: Option<Currency>,
    pub lines: Option<Vec<LineInput>>,
    pub valid_until: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

/// `POST /api/v1/quotes/{id}/status`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteStatusInput {
    pub status: QuoteStatus,
    /// When sent, the change is refused (409) if the quote changed since.
    #[serde(default)]
    pub version: Option<i64>,
}

const TITLE_MAX: usize = 200;
const NOTES_MAX: usize = 5000;

impl QuoteInput {
    pub fn validate(
        &self,
        today: NaiveDate,
        default_currency: Currency,
        valid_days: i64,
    ) -> Result<QuoteFields, Invalid> {
        let mut errors = Invalid::default();
        let title = clean_text("title", self.title.as_deref(), TITLE_MAX, &mut errors);
        let lines = validate_lines(&self.lines, &mut errors);
        let valid_until = self.valid_until.unwrap_or_else(|| {
            today
                .checked_add_days(Days::new(valid_days.max(0) as u64))
                .unwrap_or(today)
        });
        if valid_until < today {
            errors.push("valid_until", "cannot be in the past");
        }
        let notes = clean_text("notes", self.notes.as_deref(), NOTES_MAX, &mut errors);
        errors.or_ok(QuoteFields {
            title,
            currency: self.currency.unwrap_or(default_currency),
            lines,
            valid_until,
            notes,
        })
    }
}

impl QuoteFields {
    /// The fields with a patch laid over them; only a draft may change.
    pub fn patched(
        &self,
        status: QuoteStatus,
        patch: &QuotePatch,
        today: NaiveDate,
    ) -> Result<QuoteFields, Invalid> {
        if status != QuoteStatus::Draft {
            return Err(Invalid::field(
                "status",
                format!("only a draft quote can be changed; this one is {status}"),
            ));
        }
        let mut errors = Invalid::default();
        let title = match &patch.title {
            Some(t) => clean_text("title", t.as_deref(), TITLE_MAX, &mut errors),
            None => self.title.clone(),
        };
        let notes = match &patch.notes {
            Some(n) => clean_text("notes", n.as_deref(), NOTES_MAX, &mut errors),
            None => self.notes.clone(),
        };
        let lines = match &patch.lines {
            Some(lines) => validate_lines(lines, &mut errors),
            None => self.lines.clone(),
        };
        let valid_until = patch.valid_until.unwrap_or(self.valid_until);
        if patch.valid_until.is_some() && valid_until < today {
            errors.push("valid_until", "cannot be in the past");
        }
        errors.or_ok(QuoteFields {
            title,
            currency: patch.currency.unwrap_or(self.currency),
            lines,
            valid_until,
            notes,
        })
    }

    pub fn totals(&self) -> Totals {
        totals(&self.lines)
    }
}

/// The status a quote reads as on `today`: a sent or viewed quote whose
/// `valid_until` has passed is expired, without anyone having to say so.
pub fn quote_status_on(
    stored: QuoteStatus,
    valid_until: NaiveDate,
    today: NaiveDate,
) -> QuoteStatus {
    match stored {
        QuoteStatus::Sent | QuoteStatus::Viewed if valid_until < today => QuoteStatus::Expired,
        other => other,
    }
}

/// Whether a quote reading as `from` may be moved to `to`. Sending it
/// again in the state it is in changes nothing and is allowed.
///
/// draft → sent → viewed → accepted | declined; draft, sent and viewed
/// may also be expired by hand; accepted, declined and expired are final.
pub fn quote_transition(from: QuoteStatus, to: QuoteStatus) -> Result<QuoteStatus, Invalid> {
    use QuoteStatus::*;
    let allowed = from == to
        || matches!(
            (from, to),
            (Draft, Sent)
                | (Sent, Viewed)
                | (Sent | Viewed, Accepted | Declined)
                | (Draft | Sent | Viewed, Expired)
        );
    if allowed {
        Ok(to)
    } else {
        let why = match (from, to) {
            (Draft, Viewed | Accepted | Declined) => {
                format!("a draft quote must be sent before it can be {to}")
            }
            (Expired, _) => "the quote has expired; copy it into a new quote".to_string(),
            (Accepted | Declined, _) => format!("the quote was already {from}"),
            _ => format!("a {from} quote cannot become {to}"),
        };
        Err(Invalid::field("status", why))
    }
}

/// The status after the customer opens the quote: the first view of a sent
/// quote marks it viewed; later views only count. A draft was never sent.
pub fn quote_after_view(current: QuoteStatus) -> Result<QuoteStatus, Invalid> {
    match current {
        QuoteStatus::Draft => Err(Invalid::field(
            "status",
            "a draft quote has not been sent to the customer",
        )),
        QuoteStatus::Sent => Ok(QuoteStatus::Viewed),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use QuoteStatus::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn the_happy_path_is_allowed() {
        assert_eq!(quote_transition(Draft, Sent), Ok(Sent));
        assert_eq!(quote_transition(Sent, Viewed), Ok(Viewed));
        assert_eq!(quote_transition(Viewed, Accepted), Ok(Accepted));
        assert_eq!(quote_transition(Sent, Declined), Ok(Declined));
        assert_eq!(quote_transition(Sent, Sent), Ok(Sent));
    }

    #[test]
    fn final_states_stay_final_and_drafts_must_be_sent() {
        for to in QuoteStatus::ALL {
            if *to != Accepted {
                assert!(quote_transition(Accepted, *to).is_err(), "accepted → {to}");
            }
        }
        let err = quote_transition(Draft, Accepted).unwrap_err();
        assert_eq!(err.0[0].field, "status");
        assert!(quote_transition(Expired, Accepted).is_err());
        assert!(quote_transition(Viewed, Draft).is_err());
    }

    #[test]
    fn sent_quotes_expire_on_their_own() {
        assert_eq!(quote_status_on(Sent, day(10), day(10)), Sent);
        assert_eq!(quote_status_on(Sent, day(10), day(11)), Expired);
        assert_eq!(quote_status_on(Viewed, day(10), day(11)), Expired);
        assert_eq!(quote_status_on(Draft, day(10), day(11)), Draft);
        assert_eq!(quote_status_on(Accepted, day(10), day(11)), Accepted);
    }

    #[test]
    fn views_mark_a_sent_quote_viewed_once() {
        assert_eq!(quote_after_view(Sent), Ok(Viewed));
        assert_eq!(quote_after_view(Viewed), Ok(Viewed));
        assert_eq!(quote_after_view(Accepted), Ok(Accepted));
        assert!(quote_after_view(Draft).is_err());
    }

    #[test]
    fn new_quotes_default_their_validity_and_refuse_the_past() {
        let input: QuoteInput = serde_json::from_value(serde_json::json!({
            "customer_id": uuid::Uuid::nil(),
            "lines": [{"description": "Tune-up", "unit_price_minor": 12900}]
        }))
        .unwrap();
        let f = input.validate(day(1), Currency::USD, 30).unwrap();
        assert_eq!(f.valid_until, day(31));
        assert_eq!(f.totals().total_minor, 12900);
        let past = QuoteInput {
            valid_until: Some(NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()),
            ..input
        };
        let err = past.validate(day(1), Currency::USD, 30).unwrap_err();
        assert_eq!(err.0[0].field, "valid_until");
    }

    #[test]
    fn only_drafts_change() {
        let f = QuoteFields {
            title: None,
            currency: Currency::USD,
            lines: vec![],
            valid_until: day(20),
            notes: None,
        };
        let patch: QuotePatch = serde_json::from_str(r#"{"version":1,"title":"New"}"#).unwrap();
        assert_eq!(
            f.patched(Draft, &patch, day(1)).unwrap().title.as_deref(),
            Some("New")
        );
        assert_eq!(
            f.patched(Sent, &patch, day(1)).unwrap_err().0[0].field,
            "status"
        );
    }
}
