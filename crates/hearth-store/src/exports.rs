//! CSV export of customers, a page at a time, so a caller can stream any
//! number of rows without holding them: each page is one short read.
//! Whatever selects customers (the whole list, a segment) passes its
//! condition as a subquery of customer ids.

use crate::page;
use crate::{Conn, Result, StoreError};
use hearth_domain::OrgId;
/// The condition type callers pass: a query selecting customer ids.
pub use sea_query::SelectStatement;
use sea_query::{Alias, Expr, ExprTrait, Order, Query};
use uuid::Uuid;

/// Rows per page of an export.
pub const PAGE: u64 = 2000;

/// The columns of a customer export, in order; an import reads the same.
pub const CUSTOMER_COLUMNS: [&str; 9] = [
    "id",
    "first_name",
    "last_name",
    "business_name",
    "email",
    "phone",
    "preferred_contact_method",
    "customer_since",
    "created_at",
];

/// Where the next page starts (an opaque cursor, as in list paging).
pub type After = String;

/// The header line.
pub fn customers_header() -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CUSTOMER_COLUMNS).map_err(csv_error)?;
    w.into_inner().map_err(|e| StoreError::Io(e.to_string()))
}

fn csv_error(e: csv::Error) -> StoreError {
    StoreError::Io(e.to_string())
}

/// Free text that a spreadsheet would run as a formula (`=`, `+`, `-`,
/// `@` first) gets a leading apostrophe (OWASP CSV injection). Stored
/// phones are E.164 digits and dates are ISO, so they pass unchanged.
fn defuse(text: String) -> String {
    let looks_numeric = text.len() > 1 && text[1..].chars().all(|c| c.is_ascii_digit());
    match text.chars().next() {
        Some('=' | '@' | '\t' | '\r') => format!("'{text}"),
        Some('+' | '-') if !looks_numeric => format!("'{text}"),
        _ => text,
    }
}

/// One page of live customers in name order as CSV lines, and the cursor
/// of the next page (`None` at the end). `matching`, when given, selects
/// the ids of the customers to export.
pub async fn customers_page(
    c: &mut Conn,
    org: OrgId,
    matching: Option<&SelectStatement>,
    after: Option<&After>,
) -> Result<(Vec<u8>, Option<After>)> {
    let col = |n: &str| Expr::col(Alias::new(n));
    let mut q = Query::select();
    q.from(Alias::new("customers"))
        .columns(
            [
                "id",
                "first_name",
                "last_name",
                "business_name",
                "email",
                "phone",
                "preferred_contact_method",
                "customer_since",
                "created_at",
                "sort_name",
            ]
            .map(Alias::new),
        )
        .and_where(col("org_id").eq(org.0))
        .and_where(col("deleted_at").is_null())
        .order_by(Alias::new("sort_name"), Order::Asc)
        .order_by(Alias::new("id"), Order::Asc)
        .limit(PAGE + 1);
    if let Some(matching) = matching {
        q.and_where(col("id").in_subquery(matching.clone()));
    }
    if let Some(after) = after {
        let (name, id): (String, Uuid) = page::decode(after).ok_or_else(|| {
            hearth_domain::Invalid::field("cursor", "is not a cursor from this export")
        })?;
        q.and_where(
            Expr::tuple([col("sort_name"), col("id")])
                .gt(Expr::tuple([Expr::val(name), Expr::val(id)])),
        );
    }
    let rows = c
        .query(&q, |r| {
            let text = |i: usize| -> Result<String> {
                Ok(defuse(r.get::<Option<String>>(i)?.unwrap_or_default()))
            };
            Ok((
                [
                    r.get::<Uuid>(0)?.to_string(),
                    text(1)?,
                    text(2)?,
                    text(3)?,
                    text(4)?,
                    text(5)?,
                    text(6)?,
                    r.get::<chrono::NaiveDate>(7)?.to_string(),
                    r.get::<chrono::DateTime<chrono::Utc>>(8)?.to_rfc3339(),
                ],
                r.get::<String>(9)?,
            ))
        })
        .await?;
    let page = page::finish(rows, PAGE, |(cells, name)| {
        (name.clone(), Uuid::parse_str(&cells[0]).unwrap_or_default())
    });
    let mut w = csv::Writer::from_writer(Vec::new());
    for (cells, _) in &page.items {
        w.write_record(cells).map_err(csv_error)?;
    }
    let bytes = w.into_inner().map_err(|e| StoreError::Io(e.to_string()))?;
    Ok((bytes, page.next_cursor))
}
