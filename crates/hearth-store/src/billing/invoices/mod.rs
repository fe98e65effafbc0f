//! Invoices: numbered per organisation without gaps, issued, paid, voided.

use super::{currency, lines, lines_json, lock_customer, loyalty, record, settings, today, word};
use crate::orgs::now;
use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row, parent};
use hearth_domain::billing::invoices::{
    Invoice, InvoiceEvent, InvoiceFields, InvoiceInput, InvoiceState, InvoiceStatus,
    NewInvoiceStatus, invoice_after, invoice_number, invoice_status_on,
};
use hearth_domain::billing::lines::Totals;
use hearth_domain::history::{Actor, all_fields};
use hearth_domain::{CustomerId, Invalid, InvoiceId, JobId, OrgId};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde_json::json;

mod changes;
pub(crate) use changes::set_paid;
pub use changes::{update, void};

#[derive(sea_query::Iden, Clone, Copy)]
enum Invoices {
    Table,
    Id,
    OrgId,
    CustomerId,
    Number,
    Status,
    Currency,
    Lines,
    SubtotalMinor,
    TaxMinor,
    TotalMinor,
    AmountPaidMinor,
    DueDate,
    Notes,
    JobId,
    IssuedAt,
    PaidAt,
    VoidedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

/// The columns [`invoice`] reads, in its order.
const COLUMNS: [Invoices; 20] = [
    Invoices::Id,
    Invoices::CustomerId,
    Invoices::Number,
    Invoices::Status,
    Invoices::Currency,
    Invoices::Lines,
    Invoices::SubtotalMinor,
    Invoices::TaxMinor,
    Invoices::TotalMinor,
    Invoices::AmountPaidMinor,
    Invoices::DueDate,
    Invoices::Notes,
    Invoices::JobId,
    Invoices::IssuedAt,
    Invoices::PaidAt,
    Invoices::VoidedAt,
    Invoices::Version,
    Invoices::CreatedAt,
    Invoices::UpdatedAt,
    Invoices::OrgId,
];

/// A stored invoice and its stored (never overdue) status.
pub(crate) struct Stored {
    pub invoice: Invoice,
    pub status: InvoiceStatus,
}

impl Stored {
    pub fn state(&self) -> InvoiceState {
        InvoiceState {
            status: self.status,
            currency: self.invoice.currency,
            total_minor: self.invoice.totals.total_minor,
            paid_minor: self.invoice.amount_paid_minor,
        }
    }
}

fn stored(r: &Row) -> Result<Stored> {
    let status = word(r, 3, InvoiceStatus::parse)?;
    let total_minor: i64 = r.get(8)?;
    let amount_paid_minor: i64 = r.get(9)?;
    let due_date = r.get(10)?;
    let invoice = Invoice {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        number: invoice_number(r.get(2)?),
        status: invoice_status_on(status, due_date, today()),
        currency: currency(r, 4)?,
        lines: lines(r, 5)?,
        totals: Totals {
            subtotal_minor: r.get(6)?,
            tax_minor: r.get(7)?,
            total_minor,
        },
        amount_paid_minor,
        balance_minor: total_minor - amount_paid_minor,
        due_date,
        notes: r.get(11)?,
        job_id: r.get(12)?,
        issued_at: r.get(13)?,
        paid_at: r.get(14)?,
        voided_at: r.get(15)?,
        version: r.get(16)?,
        created_at: r.get(17)?,
        updated_at: r.get(18)?,
    };
    Ok(Stored { invoice, status })
}

fn fields(i: &Invoice) -> InvoiceFields {
    InvoiceFields {
        currency: i.currency,
        lines: i.lines.clone(),
        due_date: i.due_date,
        notes: i.notes.clone(),
    }
}

fn audited(f: &InvoiceFields, status: InvoiceStatus) -> serde_json::Value {
    let mut v = serde_json::to_value(f).unwrap_or_default();
    if let Some(m) = v.as_object_mut() {
        m.insert("status".into(), json!(status));
    }
    v
}

pub(crate) async fn get_stored(c: &mut Conn, org: OrgId, id: InvoiceId) -> Result<Stored> {
    let mut q = Query::select();
    q.columns(COLUMNS)
        .from(Invoices::Table)
        .and_where(Expr::col(Invoices::Id).eq(id.0))
        .and_where(Expr::col(Invoices::OrgId).eq(org.0));
    c.query_one(&q, stored).await
}

/// Locks an invoice's row until the transaction ends (PostgreSQL; SQLite
/// writers take turns already), so payments on one invoice queue up
/// instead of racing.
pub(crate) async fn lock(c: &mut Conn, org: OrgId, id: InvoiceId) -> Result<()> {
    if c.engine() == crate::Engine::Postgres {
        c.query_one(
            &Raw(
                "SELECT id FROM invoices WHERE id = $1 AND org_id = $2 FOR UPDATE",
                vec![id.0.into(), org.0.into()],
            ),
            |r| r.get::<InvoiceId>(0),
        )
        .await?;
    }
    Ok(())
}

pub async fn get(c: &mut Conn, org: OrgId, id: InvoiceId) -> Result<Invoice> {
    Ok(get_stored(c, org, id).await?.invoice)
}

/// The next number of the organisation's sequence. The counter row stays
/// locked until the transaction ends, so numbers are handed out in turn,
/// and a rolled-back creation returns its number.
async fn next_number(c: &mut Conn, org: OrgId) -> Result<i64> {
    c.query_one(
        &Raw(
            "INSERT INTO invoice_counters (org_id, last_number) VALUES ($1, 1) \
             ON CONFLICT (org_id) DO UPDATE SET last_number = invoice_counters.last_number + 1 \
             RETURNING last_number",
            vec![org.0.into()],
        ),
        |r| r.get::<i64>(0),
    )
    .await
}

pub async fn create(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    input: &InvoiceInput,
) -> Result<Invoice> {
    lock_customer(c, org, input.customer_id).await?;
    let s = settings::get(c, org).await?;
    let mut errors = Invalid::default();
    let f = input
        .validate(today(), s.default_currency, s.invoice_due_days)
        .map_err(|e| errors.0.extend(e.0))
        .ok();
    if let Some(job) = input.job_id
        && !is_job_of(c, org, JobId(job), input.customer_id).await?
    {
        errors.push("job_id", "is not a job of this customer");
    }
    let f = match f {
        Some(f) if errors.0.is_empty() => f,
        _ => return Err(errors.into()),
    };
    let t = f.totals();
    let draft = InvoiceState {
        status: InvoiceStatus::Draft,
        currency: f.currency,
        total_minor: t.total_minor,
        paid_minor: 0,
    };
    let state = match input.status {
        NewInvoiceStatus::Draft => draft,
        NewInvoiceStatus::Open => invoice_after(draft, InvoiceEvent::Issue)?,
    };
    let number = next_number(c, org).await?;
    let id = InvoiceId::new();
    let now = now();
    let issued_at = (state.status != InvoiceStatus::Draft).then_some(now);
    let paid_at = (state.status == InvoiceStatus::Paid).then_some(now);
    c.execute(&Raw(
        "INSERT INTO invoices (id, org_id, customer_id, number, status, currency, lines, subtotal_minor, tax_minor, \
         total_minor, amount_paid_minor, due_date, notes, job_id, issued_at, paid_at, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $13, $14, $15, 1, $16, $16)",
        vec![
            id.0.into(),
            org.0.into(),
            input.customer_id.0.into(),
            number.into(),
            state.status.as_str().into(),
            f.currency.as_str().into(),
            lines_json(&f.lines).into(),
            t.subtotal_minor.into(),
            t.tax_minor.into(),
            t.total_minor.into(),
            f.due_date.into(),
            f.notes.clone().into(),
            input.job_id.into(),
            issued_at.into(),
            paid_at.into(),
            now.into(),
        ],
    ))
    .await?;
    let invoice = get(c, org, id).await?;
    let changes = all_fields(&audited(&f, state.status), true);
    let summary = format!("Invoice {} for {} created", invoice.number, invoice.total());
    record(
        c,
        org,
        actor,
        ("invoice", id.0),
        Some(invoice.customer_id),
        "invoice",
        "created",
        summary,
        &changes,
    )
    .await?;
    if state.status == InvoiceStatus::Paid {
        loyalty::earn_for_invoice(c, org, actor, &invoice).await?;
    }
    Ok(invoice)
}

/// Whether `job` is a live job of `customer` in this organisation.
async fn is_job_of(c: &mut Conn, org: OrgId, job: JobId, customer: CustomerId) -> Result<bool> {
    let owner = c
        .query_opt(
            &Raw(
                "SELECT customer_id FROM jobs WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL",
                vec![job.0.into(), org.0.into()],
            ),
            |r| r.get::<CustomerId>(0),
        )
        .await?;
    Ok(owner == Some(customer))
}

#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    pub customer: Option<CustomerId>,
    /// As read today: `overdue` finds open and partially paid invoices past
    /// their due date, `open` those not yet due.
    pub status: Option<InvoiceStatus>,
    pub cursor: Option<String>,
    pub limit: u64,
}

/// Invoices newest first (`invoices_org`, `invoices_customer`,
/// `invoices_status`; keyset on id).
pub async fn list(c: &mut Conn, org: OrgId, query: &ListQuery) -> Result<Page<Invoice>> {
    let before =
        parent::cursor::<uuid::Uuid>(query.cursor.as_deref())?.unwrap_or(uuid::Uuid::max());
    let mut q = Query::select();
    q.columns(COLUMNS)
        .from(Invoices::Table)
        .and_where(Expr::col(Invoices::OrgId).eq(org.0))
        .and_where(Expr::col(Invoices::Id).lt(before))
        .order_by(Invoices::Id, Order::Desc)
        .limit(query.limit + 1);
    if let Some(customer) = query.customer {
        q.and_where(Expr::col(Invoices::CustomerId).eq(customer.0));
    }
    let today = today();
    match query.status {
        None => {}
        Some(InvoiceStatus::Overdue) => {
            q.and_where(Expr::col(Invoices::Status).is_in(["open", "partially_paid"]))
                .and_where(Expr::col(Invoices::DueDate).lt(today));
        }
        Some(s @ (InvoiceStatus::Open | InvoiceStatus::PartiallyPaid)) => {
            q.and_where(Expr::col(Invoices::Status).eq(s.as_str()))
                .and_where(Expr::col(Invoices::DueDate).gte(today));
        }
        Some(s) => {
            q.and_where(Expr::col(Invoices::Status).eq(s.as_str()));
        }
    }
    let rows = c.query(&q, stored).await?;
    let rows = rows.into_iter().map(|s| s.invoice).collect();
    Ok(page::finish(rows, query.limit, |i| i.id.0))
}
