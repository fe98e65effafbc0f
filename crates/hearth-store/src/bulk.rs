//! Bulk loading for benchmarks and data sets (`hearth bench generate`).
//!
//! Multi-row statements, many rows per transaction, and deliberately no
//! audit log: these rows are generated, not changed by anyone, and the audit
//! trail of a million synthetic creations would only measure itself. The
//! timeline events and the search index are written as a normal create would.

use crate::customers::search_text;
use crate::{Bulk, Conn, Result};
use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use hearth_domain::customers::CustomerFields;
use hearth_domain::duplicates::stored_address_key;
use hearth_domain::history::Actor;
use hearth_domain::{AddressId, EquipmentId, InvoiceId, JobId, MembershipId, PaymentId, PlanId};
use hearth_domain::{CustomerId, EventId, ImportId, LeadId, OrgId};
use sea_query::{Alias, Query, SimpleExpr};

#[derive(sea_query::Iden)]
enum Customers {
    Table,
    Id,
    OrgId,
    FirstName,
    LastName,
    BusinessName,
    Email,
    Phone,
    PreferredContactMethod,
    CustomerSince,
    SortName,
    SearchText,
    NameKey,
    Version,
    CreatedAt,
    UpdatedAt,
    ImportId,
}

/// Rows per statement: within SQLite's and PostgreSQL's parameter limits.
const ROWS: usize = 500;

/// A generated customer and when it was created.
pub struct NewCustomer {
    pub id: CustomerId,
    pub fields: CustomerFields,
    pub created_at: DateTime<Utc>,
}

/// Whose timeline an entry goes on.
#[derive(Clone, Copy)]
pub enum Timeline {
    Customer(CustomerId),
    Lead(LeadId),
}

/// A generated timeline entry.
pub struct NewEvent {
    pub on: Timeline,
    pub kind: &'static str,
    pub action: &'static str,
    pub summary: String,
    pub at: DateTime<Utc>,
}

/// Inserts already-validated customers of one organisation and indexes
/// them for search.
pub async fn insert_customers(c: &mut Conn, org: OrgId, rows: &[NewCustomer]) -> Result<()> {
    insert_customer_rows(c, org, None, rows).await?;
    let ids: Vec<CustomerId> = rows.iter().map(|r| r.id).collect();
    crate::search::reindex_customers(c, org, &ids).await
}

/// The customer rows alone, marked with the import that brought them (so
/// it can be reverted); the caller indexes them for search once their
/// addresses are in too.
pub async fn insert_customer_rows(
    c: &mut Conn,
    org: OrgId,
    import: Option<ImportId>,
    rows: &[NewCustomer],
) -> Result<()> {
    for part in rows.chunks(ROWS) {
        let mut insert = Query::insert();
        insert.into_table(Customers::Table).columns([
            Customers::Id,
            Customers::OrgId,
            Customers::FirstName,
            Customers::LastName,
            Customers::BusinessName,
            Customers::Email,
            Customers::Phone,
            Customers::PreferredContactMethod,
            Customers::CustomerSince,
            Customers::SortName,
            Customers::SearchText,
            Customers::NameKey,
            Customers::Version,
            Customers::CreatedAt,
            Customers::UpdatedAt,
            Customers::ImportId,
        ]);
        for r in part {
            let f = &r.fields;
            insert.values_panic([
                r.id.0.into(),
                org.0.into(),
                f.first_name.clone().into(),
                f.last_name.clone().into(),
                f.business_name.clone().into(),
                f.email.clone().into(),
                f.phone.clone().into(),
                f.preferred_contact_method.as_str().into(),
                f.customer_since.into(),
                f.sort_name().into(),
                search_text(f).into(),
                f.name_key().into(),
                1i64.into(),
                r.created_at.into(),
                r.created_at.into(),
                import.map(|i| i.0).into(),
            ]);
        }
        c.execute(&Bulk(&insert)).await?;
        crate::segments::facts::insert_new(c, org, part.iter().map(|r| (r.id, r.created_at)))
            .await?;
    }
    Ok(())
}

/// Appends timeline entries of one organisation, customers' and leads'.
pub async fn insert_events(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    rows: &[NewEvent],
) -> Result<()> {
    for (table, owner, entity) in [
        ("events", "customer_id", "customer"),
        ("lead_events", "lead_id", "lead"),
    ] {
        let values = rows
            .iter()
            .filter_map(|e| {
                let id = match (e.on, entity) {
                    (Timeline::Customer(id), "customer") => id.0,
                    (Timeline::Lead(id), "lead") => id.0,
                    _ => return None,
                };
                Some(vec![
                    EventId::new().0.into(),
                    org.0.into(),
                    id.into(),
                    e.kind.into(),
                    e.action.into(),
                    e.summary.clone().into(),
                    serde_json::json!({"entity": entity, "entity_id": id}).into(),
                    actor.kind.as_str().into(),
                    actor.id.into(),
                    actor.name.clone().into(),
                    e.at.into(),
                ])
            })
            .collect();
        let columns = [
            "id",
            "org_id",
            owner,
            "kind",
            "action",
            "summary",
            "data",
            "actor_kind",
            "actor_id",
            "actor_name",
            "at",
        ];
        insert_rows(c, table, &columns, values).await?;
    }
    Ok(())
}

/// Bound values per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
const PARAMS: usize = 30_000;

/// Inserts rows of `columns` into `table`, as many per statement as the
/// parameter limit allows.
pub(crate) async fn insert_rows(
    c: &mut Conn,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<SimpleExpr>>,
) -> Result<()> {
    let per = (PARAMS / columns.len()).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new(table))
            .columns(columns.iter().map(|c| Alias::new(*c)));
        for row in rows.by_ref().take(per) {
            insert.values_panic(row);
        }
        c.execute(&Bulk(&insert)).await?;
    }
    Ok(())
}

/// A generated service address (the customer's first is primary).
pub struct NewAddress {
    pub id: AddressId,
    pub customer_id: CustomerId,
    pub line1: String,
    pub city: String,
    pub postal_code: String,
    pub is_primary: bool,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_addresses(c: &mut Conn, org: OrgId, rows: &[NewAddress]) -> Result<()> {
    let columns = [
        "id",
        "org_id",
        "customer_id",
        "line1",
        "city",
        "postal_code",
        "address_key",
        "country",
        "is_primary",
        "version",
        "created_at",
        "updated_at",
    ];
    let values = rows
        .iter()
        .map(|a| {
            vec![
                a.id.0.into(),
                org.0.into(),
                a.customer_id.0.into(),
                a.line1.clone().into(),
                a.city.clone().into(),
                a.postal_code.clone().into(),
                stored_address_key(&a.line1, Some(&a.postal_code)).into(),
                "US".into(),
                a.is_primary.into(),
                1i64.into(),
                a.created_at.into(),
                a.created_at.into(),
            ]
        })
        .collect();
    insert_rows(c, "addresses", &columns, values).await
}

/// A generated unit of equipment at an address.
pub struct NewEquipment {
    pub id: EquipmentId,
    pub customer_id: CustomerId,
    pub address_id: AddressId,
    pub kind: &'static str,
    pub make: &'static str,
    pub install_date: NaiveDate,
    pub warranty_expires_on: NaiveDate,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_equipment(c: &mut Conn, org: OrgId, rows: &[NewEquipment]) -> Result<()> {
    let columns = [
        "id",
        "org_id",
        "customer_id",
        "address_id",
        "kind",
        "make",
        "install_date",
        "expected_lifespan_years",
        "warranty_expires_on",
        "version",
        "created_at",
        "updated_at",
    ];
    let values = rows
        .iter()
        .map(|e| {
            vec![
                e.id.0.into(),
                org.0.into(),
                e.customer_id.0.into(),
                e.address_id.0.into(),
                e.kind.into(),
                e.make.into(),
                e.install_date.into(),
                15i64.into(),
                e.warranty_expires_on.into(),
                1i64.into(),
                e.created_at.into(),
                e.created_at.into(),
            ]
        })
        .collect();
    insert_rows(c, "equipment", &columns, values).await
}

/// A generated job with one service line.
pub struct NewJob {
    pub id: JobId,
    pub customer_id: CustomerId,
    pub address_id: AddressId,
    pub service_type: &'static str,
    pub industry: &'static str,
    pub scheduled_start: DateTime<Utc>,
    pub scheduled_end: DateTime<Utc>,
    /// `scheduled`, `completed` or `cancelled`.
    pub status: &'static str,
    pub total_minor: i64,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_jobs(c: &mut Conn, org: OrgId, rows: &[NewJob]) -> Result<()> {
    let columns = [
        "id",
        "org_id",
        "customer_id",
        "address_id",
        "service_type",
        "industry",
        "scheduled_start",
        "scheduled_end",
        "status",
        "currency",
        "total_minor",
        "completed_at",
        "version",
        "created_at",
        "updated_at",
    ];
    let values = rows
        .iter()
        .map(|j| {
            let completed = (j.status == "completed").then_some(j.scheduled_end);
            vec![
                j.id.0.into(),
                org.0.into(),
                j.customer_id.0.into(),
                j.address_id.0.into(),
                j.service_type.into(),
                j.industry.into(),
                j.scheduled_start.into(),
                j.scheduled_end.into(),
                j.status.into(),
                "USD".into(),
                j.total_minor.into(),
                completed.into(),
                1i64.into(),
                j.created_at.into(),
                j.created_at.into(),
            ]
        })
        .collect();
    insert_rows(c, "jobs", &columns, values).await?;
    let columns = [
        "id",
        "org_id",
        "job_id",
        "position",
        "kind",
        "description",
        "quantity_milli",
        "unit_price_minor",
        "currency",
        "total_minor",
    ];
    let values = rows
        .iter()
        .map(|j| {
            vec![
                uuid::Uuid::now_v7().into(),
                org.0.into(),
                j.id.0.into(),
                0i64.into(),
                "service".into(),
                j.service_type.into(),
                1000i64.into(),
                j.total_minor.into(),
                "USD".into(),
                j.total_minor.into(),
            ]
        })
        .collect();
    insert_rows(c, "job_line_items", &columns, values).await
}

/// A generated invoice for a completed job; a paid one gets one payment.
pub struct NewInvoice {
    pub id: InvoiceId,
    pub customer_id: CustomerId,
    pub job_id: JobId,
    pub description: &'static str,
    pub total_minor: i64,
    pub paid: bool,
    pub issued_at: DateTime<Utc>,
}

/// Inserts invoices numbered on from the organisation's counter, and the
/// payments of the paid ones.
pub async fn insert_invoices(c: &mut Conn, org: OrgId, rows: &[NewInvoice]) -> Result<()> {
    let last: i64 = c
        .query_one(
            &crate::Raw(
                "INSERT INTO invoice_counters (org_id, last_number) VALUES ($1, $2) \
                 ON CONFLICT (org_id) DO UPDATE SET last_number = invoice_counters.last_number + $2 \
                 RETURNING last_number",
                vec![org.0.into(), (rows.len() as i64).into()],
            ),
            |r| r.get(0),
        )
        .await?;
    let first = last - rows.len() as i64 + 1;
    let columns = [
        "id",
        "org_id",
        "customer_id",
        "number",
        "status",
        "currency",
        "lines",
        "subtotal_minor",
        "tax_minor",
        "total_minor",
        "amount_paid_minor",
        "due_date",
        "job_id",
        "issued_at",
        "paid_at",
        "version",
        "created_at",
        "updated_at",
    ];
    let values = rows
        .iter()
        .zip(first..)
        .map(|(i, number)| {
            let line = serde_json::json!([{
                "description": i.description, "quantity_thousandths": 1000,
                "unit_price_minor": i.total_minor, "tax_rate_bp": 0,
                "amount_minor": i.total_minor, "tax_minor": 0,
            }]);
            let paid_at = i.paid.then_some(i.issued_at);
            vec![
                i.id.0.into(),
                org.0.into(),
                i.customer_id.0.into(),
                number.into(),
                if i.paid { "paid" } else { "open" }.into(),
                "USD".into(),
                line.into(),
                i.total_minor.into(),
                0i64.into(),
                i.total_minor.into(),
                if i.paid { i.total_minor } else { 0 }.into(),
                (i.issued_at.date_naive() + chrono::Days::new(30)).into(),
                i.job_id.0.into(),
                i.issued_at.into(),
                paid_at.into(),
                1i64.into(),
                i.issued_at.into(),
                i.issued_at.into(),
            ]
        })
        .collect();
    insert_rows(c, "invoices", &columns, values).await?;
    let columns = [
        "id",
        "org_id",
        "invoice_id",
        "customer_id",
        "amount_minor",
        "currency",
        "method",
        "provider",
        "received_at",
        "actor_kind",
        "actor_name",
    ];
    let values = rows
        .iter()
        .filter(|i| i.paid)
        .map(|i| {
            vec![
                PaymentId::new().0.into(),
                org.0.into(),
                i.id.0.into(),
                i.customer_id.0.into(),
                i.total_minor.into(),
                "USD".into(),
                "card".into(),
                "manual".into(),
                i.issued_at.into(),
                "system".into(),
                "bench generate".into(),
            ]
        })
        .collect();
    insert_rows(c, "payments", &columns, values).await
}

/// The membership plan generated members join.
pub async fn insert_plan(c: &mut Conn, org: OrgId, name: &str, price_minor: i64) -> Result<PlanId> {
    let id = PlanId::new();
    let now = Utc::now();
    let columns = [
        "id",
        "org_id",
        "name",
        "price_minor",
        "currency",
        "billing_interval",
        "included_visits",
        "archived",
        "version",
        "created_at",
        "updated_at",
    ];
    let row = vec![
        id.0.into(),
        org.0.into(),
        name.into(),
        price_minor.into(),
        "USD".into(),
        "month".into(),
        2i64.into(),
        false.into(),
        1i64.into(),
        now.into(),
        now.into(),
    ];
    insert_rows(c, "membership_plans", &columns, vec![row]).await?;
    Ok(id)
}

/// A generated membership.
pub struct NewMembership {
    pub id: MembershipId,
    pub customer_id: CustomerId,
    pub plan_id: PlanId,
    /// `active`, `paused` or `cancelled`.
    pub status: &'static str,
    pub started_on: NaiveDate,
    pub periods: i64,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_memberships(c: &mut Conn, org: OrgId, rows: &[NewMembership]) -> Result<()> {
    let columns = [
        "id",
        "org_id",
        "customer_id",
        "plan_id",
        "status",
        "started_on",
        "periods",
        "cancelled_at",
        "version",
        "created_at",
        "updated_at",
    ];
    let values = rows
        .iter()
        .map(|m| {
            let cancelled = (m.status == "cancelled").then_some(m.created_at);
            vec![
                m.id.0.into(),
                org.0.into(),
                m.customer_id.0.into(),
                m.plan_id.0.into(),
                m.status.into(),
                m.started_on.into(),
                m.periods.into(),
                cancelled.into(),
                1i64.into(),
                m.created_at.into(),
                m.created_at.into(),
            ]
        })
        .collect();
    insert_rows(c, "memberships", &columns, values).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Raw, work};

    /// A bulk insert runs without SQLite's statement journal, so a failing
    /// statement may leave its first rows behind: the unit of work must
    /// still leave nothing.
    #[tokio::test]
    async fn a_bulk_insert_that_fails_part_way_leaves_nothing() {
        let (_dir, store) = crate::test_store().await;
        let org = uuid::Uuid::nil();
        let row =
            |variant: &str| -> Vec<SimpleExpr> { vec![org.into(), variant.into(), "word".into()] };
        let rows = vec![row("a"), row("b"), row("a")];
        let failed = store
            .write(work!(|c| insert_rows(
                c,
                "search_fuzzy",
                &["org_id", "variant", "word"],
                rows
            )))
            .await;
        assert!(failed.is_err(), "the repeated key fails the statement");
        let left: i64 = store
            .read(work!(|c| c.query_one(
                &Raw("SELECT COUNT(*) FROM search_fuzzy", vec![]),
                |r| r.get(0)
            )))
            .await
            .unwrap();
        assert_eq!(left, 0);
    }
}
