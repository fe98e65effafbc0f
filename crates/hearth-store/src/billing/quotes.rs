//! Quotes: drafted, sent, viewed by the customer, then accepted or declined.

use super::{
    check_version, currency, lines, lines_json, lock_customer, record, settings, today, word,
};
use crate::orgs::now;
use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row, StoreError, jobs, parent};
use hearth_domain::billing::money::Money;
use hearth_domain::billing::quotes::{
    Quote, QuoteFields, QuoteInput, QuotePatch, QuoteStatus, QuoteStatusInput, quote_after_view,
    quote_status_on, quote_transition,
};
use hearth_domain::history::{Actor, all_fields, diff};
use hearth_domain::jobs::{AgreedWork, Job, ScheduleInput};
use hearth_domain::{CustomerId, JobId, OrgId, QuoteId};

macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, customer_id, title, status, currency, lines, subtotal_minor, tax_minor, total_minor, \
             valid_until, notes, job_id, view_count, last_viewed_at, sent_at, decided_at, version, created_at, \
             updated_at FROM quotes ",
            $rest
        )
    };
}

fn quote(r: &Row) -> Result<Quote> {
    let stored = word(r, 3, QuoteStatus::parse)?;
    let valid_until = r.get(9)?;
    Ok(Quote {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        title: r.get(2)?,
        status: quote_status_on(stored, valid_until, today()),
        currency: currency(r, 4)?,
        lines: lines(r, 5)?,
        totals: hearth_domain::billing::lines::Totals {
            subtotal_minor: r.get(6)?,
            tax_minor: r.get(7)?,
            total_minor: r.get(8)?,
        },
        valid_until,
        notes: r.get(10)?,
        job_id: r.get(11)?,
        view_count: r.get(12)?,
        last_viewed_at: r.get(13)?,
        sent_at: r.get(14)?,
        decided_at: r.get(15)?,
        version: r.get(16)?,
        created_at: r.get(17)?,
        updated_at: r.get(18)?,
    })
}

fn fields(q: &Quote) -> QuoteFields {
    QuoteFields {
        title: q.title.clone(),
        currency: q.currency,
        lines: q.lines.clone(),
        valid_until: q.valid_until,
        notes: q.notes.clone(),
    }
}

fn audited(f: &QuoteFields) -> serde_json::Value {
    serde_json::to_value(f).unwrap_or_default()
}

fn label(q: &Quote) -> String {
    let total = Money::new(q.totals.total_minor, q.currency);
    match &q.title {
        Some(t) => format!("Quote “{t}” ({total})"),
        None => format!("Quote for {total}"),
    }
}

pub async fn create(c: &mut Conn, org: OrgId, actor: &Actor, input: &QuoteInput) -> Result<Quote> {
    lock_customer(c, org, input.customer_id).await?;
    let s = settings::get(c, org).await?;
    let f = input.validate(today(), s.default_currency, s.quote_valid_days)?;
    let t = f.totals();
    let id = QuoteId::new();
    let now = now();
    c.execute(&Raw(
        "INSERT INTO quotes (id, org_id, customer_id, title, status, currency, lines, subtotal_minor, tax_minor, \
         total_minor, valid_until, notes, view_count, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, 0, 1, $12, $12)",
        vec![
            id.0.into(),
            org.0.into(),
            input.customer_id.0.into(),
            f.title.clone().into(),
            f.currency.as_str().into(),
            lines_json(&f.lines).into(),
            t.subtotal_minor.into(),
            t.tax_minor.into(),
            t.total_minor.into(),
            f.valid_until.into(),
            f.notes.clone().into(),
            now.into(),
        ],
    ))
    .await?;
    let q = get(c, org, id).await?;
    let changes = all_fields(&audited(&f), true);
    let summary = format!("{} drafted", label(&q));
    record(
        c,
        org,
        actor,
        ("quote", id.0),
        Some(q.customer_id),
        "quote",
        "created",
        summary,
        &changes,
    )
    .await?;
    Ok(q)
}

pub async fn get(c: &mut Conn, org: OrgId, id: QuoteId) -> Result<Quote> {
    c.query_one(
        &Raw(
            select!("WHERE id = $1 AND org_id = $2"),
            vec![id.0.into(), org.0.into()],
        ),
        quote,
    )
    .await
}

/// Quotes newest first, optionally one customer's
/// (`quotes_org` / `quotes_customer`, keyset on id).
pub async fn list(
    c: &mut Conn,
    org: OrgId,
    customer: Option<CustomerId>,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<Quote>> {
    let before = parent::cursor::<uuid::Uuid>(cursor)?.unwrap_or(uuid::Uuid::max());
    let fetch = limit as i64 + 1;
    let rows = match customer {
        Some(customer) => {
            let sql = select!(
                "WHERE org_id = $1 AND customer_id = $2 AND id < $3 ORDER BY id DESC LIMIT $4"
            );
            let args = vec![org.0.into(), customer.0.into(), before.into(), fetch.into()];
            c.query(&Raw(sql, args), quote).await?
        }
        None => {
            let sql = select!("WHERE org_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3");
            c.query(
                &Raw(sql, vec![org.0.into(), before.into(), fetch.into()]),
                quote,
            )
            .await?
        }
    };
    Ok(page::finish(rows, limit, |q| q.id.0))
}

/// Changes a draft.
pub async fn update(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: QuoteId,
    patch: &QuotePatch,
) -> Result<Quote> {
    let current = get(c, org, id).await?;
    check_version(current.version, patch.version)?;
    let before = fields(&current);
    let f = before.patched(current.status, patch, today())?;
    let changes = diff(&audited(&before), &audited(&f));
    if changes.is_empty() {
        return Ok(current);
    }
    let t = f.totals();
    let n = c
        .execute(&Raw(
            "UPDATE quotes SET title = $1, currency = $2, lines = $3, subtotal_minor = $4, tax_minor = $5, \
             total_minor = $6, valid_until = $7, notes = $8, version = version + 1, updated_at = $9 \
             WHERE id = $10 AND org_id = $11 AND version = $12 AND status = 'draft'",
            vec![
                f.title.clone().into(),
                f.currency.as_str().into(),
                lines_json(&f.lines).into(),
                t.subtotal_minor.into(),
                t.tax_minor.into(),
                t.total_minor.into(),
                f.valid_until.into(),
                f.notes.clone().into(),
                now().into(),
                id.0.into(),
                org.0.into(),
                patch.version.into(),
            ],
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let q = get(c, org, id).await?;
    let summary = format!("{}: changed {}", label(&q), parent::changed(&changes));
    record(
        c,
        org,
        actor,
        ("quote", id.0),
        Some(q.customer_id),
        "quote",
        "updated",
        summary,
        &changes,
    )
    .await?;
    Ok(q)
}

/// Moves a quote along draft → sent → viewed → accepted / declined.
pub async fn set_status(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: QuoteId,
    input: &QuoteStatusInput,
) -> Result<Quote> {
    let current = get(c, org, id).await?;
    if let Some(v) = input.version {
        check_version(current.version, v)?;
    }
    let to = quote_transition(current.status, input.status)?;
    if to == current.status {
        return Ok(current);
    }
    let now = now();
    let (sent_at, decided_at) = match to {
        QuoteStatus::Sent => (Some(now), current.decided_at),
        QuoteStatus::Accepted | QuoteStatus::Declined => (current.sent_at, Some(now)),
        _ => (current.sent_at, current.decided_at),
    };
    let n = c
        .execute(&Raw(
            "UPDATE quotes SET status = $1, sent_at = $2, decided_at = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND org_id = $6 AND version = $7",
            vec![
                to.as_str().into(),
                sent_at.into(),
                decided_at.into(),
                now.into(),
                id.0.into(),
                org.0.into(),
                current.version.into(),
            ],
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let changes = diff(
        &serde_json::json!({"status": current.status}),
        &serde_json::json!({"status": to}),
    );
    let action = match to {
        QuoteStatus::Draft => "updated",
        QuoteStatus::Sent => "sent",
        QuoteStatus::Viewed => "viewed",
        QuoteStatus::Accepted => "accepted",
        QuoteStatus::Declined => "declined",
        QuoteStatus::Expired => "expired",
    };
    let summary = format!("{} {}", label(&current), to);
    record(
        c,
        org,
        actor,
        ("quote", id.0),
        Some(current.customer_id),
        "quote",
        action,
        summary,
        &changes,
    )
    .await?;
    get(c, org, id).await
}

/// Books the job an accepted quote becomes, with the quote's lines, and
/// records it on the quote. Asking again returns the job already booked
/// (`false`: nothing new was made).
pub async fn book_job(
    c: &mut Conn,
    org: OrgId,
    region: &str,
    actor: &Actor,
    id: QuoteId,
    schedule: &ScheduleInput,
) -> Result<(Job, bool)> {
    let quote = get(c, org, id).await?;
    if let Some(job) = quote.job_id {
        return Ok((jobs::get(c, org, JobId(job)).await?, false));
    }
    if quote.status != QuoteStatus::Accepted {
        return Err(StoreError::Refused(format!(
            "only an accepted quote becomes a job; this one is {}",
            quote.status
        )));
    }
    let work = AgreedWork {
        customer: quote.customer_id,
        primary_address: None,
        service_type: quote.title.clone().unwrap_or_else(|| "Quoted work".into()),
        description: quote.notes.clone(),
        currency: quote.currency.as_str().to_string(),
        line_items: quote.job_line_items(),
    };
    let job = jobs::book_agreed(c, org, region, actor, schedule, work).await?;
    // A concurrent booking of the same quote loses here and rolls back.
    let n = c
        .execute(&Raw(
            "UPDATE quotes SET job_id = $1, version = version + 1, updated_at = $2 \
             WHERE id = $3 AND org_id = $4 AND job_id IS NULL",
            vec![job.id.0.into(), now().into(), id.0.into(), org.0.into()],
        ))
        .await?;
    if n == 0 {
        return Err(StoreError::Conflict {
            current_version: quote.version,
        });
    }
    let changes = diff(
        &serde_json::json!({"job_id": null}),
        &serde_json::json!({"job_id": job.id}),
    );
    let summary = format!("{} became job {}", label(&quote), job.fields.service_type);
    record(
        c,
        org,
        actor,
        ("quote", id.0),
        Some(quote.customer_id),
        "quote",
        "job_booked",
        summary,
        &changes,
    )
    .await?;
    Ok((job, true))
}

/// Records that the customer opened the quote: counts the view, marks a
/// sent quote viewed, and tells the lead score.
pub async fn record_view(c: &mut Conn, org: OrgId, actor: &Actor, id: QuoteId) -> Result<Quote> {
    let current = get(c, org, id).await?;
    let status = quote_after_view(current.status)?;
    let now = now();
    c.execute(&Raw(
        "UPDATE quotes SET status = $1, view_count = view_count + 1, last_viewed_at = $2 WHERE id = $3 AND org_id = $4",
        vec![status.as_str().into(), now.into(), id.0.into(), org.0.into()],
    ))
    .await?;
    let changes = if status != current.status {
        diff(
            &serde_json::json!({"status": current.status}),
            &serde_json::json!({"status": status}),
        )
    } else {
        vec![]
    };
    let summary = format!("{} viewed by the customer", label(&current));
    record(
        c,
        org,
        actor,
        ("quote", id.0),
        Some(current.customer_id),
        "quote",
        "viewed",
        summary,
        &changes,
    )
    .await?;
    let q = get(c, org, id).await?;
    quote_viewed(c, org, actor, &q).await?;
    Ok(q)
}

/// Hook: a customer viewed a quote, which is a lead-score signal (seed
/// 000: "Number of quotes viewed"). Runs in the view's transaction. For the
/// leads feature to fill in: quotes belong to customers, and a lead only
/// gets a `customer_id` when it is converted (won), so scoring needs quotes
/// sent to prospects first (a nullable `lead_id` on quotes); then call
/// `leads::signals::record_signal(c, org, actor, lead, SignalKind::QuoteViewed)`
/// here for the quote's open lead, which rescores it in this transaction.
pub async fn quote_viewed(
    _c: &mut Conn,
    _org: OrgId,
    _actor: &Actor,
    _quote: &Quote,
) -> Result<()> {
    Ok(())
}
