//! Bulk loading for benchmarks and data sets (`hearth bench generate`).
//!
//! Multi-row statements, many rows per transaction, and deliberately no
//! audit log: these rows are generated, not changed by anyone, and the audit
//! trail of a million synthetic creations would only measure itself. The
//! timeline events and the search index are written as a normal create would.

use crate::customers::search_text;
use crate::{Conn, Result};
use chrono::{DateTime, Utc};
use hearth_domain::customers::CustomerFields;
use hearth_domain::history::Actor;
use hearth_domain::{CustomerId, EventId, OrgId};
use sea_query::Query;

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
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(sea_query::Iden)]
enum Events {
    Table,
    Id,
    OrgId,
    CustomerId,
    Kind,
    Action,
    Summary,
    Data,
    ActorKind,
    ActorId,
    ActorName,
    At,
}

/// Rows per statement: within SQLite's and PostgreSQL's parameter limits.
const ROWS: usize = 500;

/// A generated customer and when it was created.
pub struct NewCustomer {
    pub id: CustomerId,
    pub fields: CustomerFields,
    pub created_at: DateTime<Utc>,
}

/// A generated timeline entry.
pub struct NewEvent {
    pub customer_id: CustomerId,
    pub kind: &'static str,
    pub action: &'static str,
    pub summary: String,
    pub at: DateTime<Utc>,
}

/// Inserts already-validated customers of one organisation and indexes
/// them for search.
pub async fn insert_customers(c: &mut Conn, org: OrgId, rows: &[NewCustomer]) -> Result<()> {
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
            Customers::Version,
            Customers::CreatedAt,
            Customers::UpdatedAt,
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
                1i64.into(),
                r.created_at.into(),
                r.created_at.into(),
            ]);
        }
        c.execute(&insert).await?;
        crate::segments::facts::insert_new(c, org, part.iter().map(|r| (r.id, r.created_at)))
            .await?;
    }
    let ids: Vec<CustomerId> = rows.iter().map(|r| r.id).collect();
    crate::search::reindex_customers(c, org, &ids).await
}

/// Appends timeline entries of one organisation.
pub async fn insert_events(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    rows: &[NewEvent],
) -> Result<()> {
    for part in rows.chunks(ROWS) {
        let mut insert = Query::insert();
        insert.into_table(Events::Table).columns([
            Events::Id,
            Events::OrgId,
            Events::CustomerId,
            Events::Kind,
            Events::Action,
            Events::Summary,
            Events::Data,
            Events::ActorKind,
            Events::ActorId,
            Events::ActorName,
            Events::At,
        ]);
        for e in part {
            insert.values_panic([
                EventId::new().0.into(),
                org.0.into(),
                e.customer_id.0.into(),
                e.kind.into(),
                e.action.into(),
                e.summary.clone().into(),
                serde_json::json!({"entity": "customer", "entity_id": e.customer_id}).into(),
                actor.kind.as_str().into(),
                actor.id.into(),
                actor.name.clone().into(),
                e.at.into(),
            ]);
        }
        c.execute(&insert).await?;
    }
    Ok(())
}
