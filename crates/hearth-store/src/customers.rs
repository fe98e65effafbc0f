//! Customer records.

use crate::history::{self, Change};
use crate::orgs::now;
use crate::page::{self, Page};
use crate::search;
use crate::{Conn, Raw, Result, Row, StoreError};
use chrono::NaiveDate;
use hearth_domain::customers::{
    ContactMethod, Customer, CustomerFields, CustomerInput, CustomerPatch,
};
use hearth_domain::history::{Actor, FieldChange, all_fields, diff};
use hearth_domain::{CustomerId, OrgId};
use sea_query::{Expr, ExprTrait, Order, Query};

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
    DeletedAt,
}

const COLUMNS: [Customers; 12] = [
    Customers::Id,
    Customers::FirstName,
    Customers::LastName,
    Customers::BusinessName,
    Customers::Email,
    Customers::Phone,
    Customers::PreferredContactMethod,
    Customers::CustomerSince,
    Customers::Version,
    Customers::CreatedAt,
    Customers::UpdatedAt,
    Customers::DeletedAt,
];

fn customer(r: &Row) -> Result<Customer> {
    let method: String = r.get(6)?;
    let fields = CustomerFields {
        first_name: r.get(1)?,
        last_name: r.get(2)?,
        business_name: r.get(3)?,
        email: r.get(4)?,
        phone: r.get(5)?,
        preferred_contact_method: ContactMethod::parse(&method).unwrap_or_default(),
        customer_since: r.get::<NaiveDate>(7)?,
    };
    Ok(Customer {
        id: r.get(0)?,
        display_name: fields.display_name(),
        fields,
        version: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
        deleted_at: r.get(11)?,
    })
}

/// Lower-cased names, email and phone digits: what the list's search box
/// matches against.
pub(crate) fn search_text(f: &CustomerFields) -> String {
    let digits: String = f
        .phone
        .as_deref()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    [
        f.first_name.as_deref(),
        f.last_name.as_deref(),
        f.business_name.as_deref(),
        f.email.as_deref(),
        Some(&digits),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
    .to_lowercase()
}

pub(crate) fn audited(f: &CustomerFields) -> serde_json::Value {
    serde_json::to_value(f).unwrap_or_default()
}

pub async fn create(
    c: &mut Conn,
    org: OrgId,
    region: &str,
    actor: &Actor,
    input: &CustomerInput,
) -> Result<Customer> {
    let fields = input.validate(region, now().date_naive())?;
    insert(c, org, actor, &fields).await
}

/// Creates a customer from fields already validated (the duplicate check
/// validates them first; parsing a phone number twice per create cost ~3 %
/// of its CPU).
pub(crate) async fn insert(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    fields: &CustomerFields,
) -> Result<Customer> {
    let now = now();
    let id = CustomerId::new();
    c.execute(&Raw(
        "INSERT INTO customers (id, org_id, first_name, last_name, business_name, email, phone, \
         preferred_contact_method, customer_since, sort_name, search_text, name_key, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13)",
        vec![
            id.0.into(),
            org.0.into(),
            fields.first_name.clone().into(),
            fields.last_name.clone().into(),
            fields.business_name.clone().into(),
            fields.email.clone().into(),
            fields.phone.clone().into(),
            fields.preferred_contact_method.as_str().into(),
            fields.customer_since.into(),
            fields.sort_name().into(),
            search_text(fields).into(),
            fields.name_key().into(),
            now.into(),
        ],
    ))
    .await?;
    search::reindex_customer(c, org, id).await?;
    let changes = all_fields(&audited(fields), true);
    record(
        c,
        org,
        actor,
        id,
        "created",
        format!("Customer {} created", fields.display_name()),
        &changes,
    )
    .await?;
    get(c, org, id, false).await
}

pub(crate) async fn record(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: CustomerId,
    action: &'static str,
    summary: String,
    fields: &[FieldChange],
) -> Result<()> {
    let change = Change {
        entity: "customer",
        entity_id: id.0,
        customer_id: Some(id),
        lead_id: None,
        action,
        kind: "profile",
        summary,
        fields,
    };
    history::record(c, org, actor, change).await
}

/// A customer of this organisation; deleted ones only when asked for.
pub async fn get(
    c: &mut Conn,
    org: OrgId,
    id: CustomerId,
    include_deleted: bool,
) -> Result<Customer> {
    let sql = if include_deleted {
        "SELECT id, first_name, last_name, business_name, email, phone, preferred_contact_method, \
         customer_since, version, created_at, updated_at, deleted_at FROM customers WHERE id = $1 AND org_id = $2"
    } else {
        "SELECT id, first_name, last_name, business_name, email, phone, preferred_contact_method, \
         customer_since, version, created_at, updated_at, deleted_at FROM customers \
         WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL"
    };
    c.query_one(&Raw(sql, vec![id.0.into(), org.0.into()]), customer)
        .await
}

#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    /// Words that must all appear in the name, email or phone.
    pub q: Option<String>,
    /// List the deleted customers (the bin) instead of the live ones.
    pub deleted: bool,
    pub cursor: Option<String>,
    pub limit: u64,
}

/// Customers in alphabetical order, a page at a time.
pub async fn list(c: &mut Conn, org: OrgId, query: &ListQuery) -> Result<Page<Customer>> {
    let mut q = Query::select();
    q.columns(COLUMNS)
        .column(Customers::SortName)
        .from(Customers::Table)
        .and_where(Expr::col(Customers::OrgId).eq(org.0))
        .order_by(Customers::SortName, Order::Asc)
        .order_by(Customers::Id, Order::Asc)
        .limit(query.limit + 1);
    q.and_where(if query.deleted {
        Expr::col(Customers::DeletedAt).is_not_null()
    } else {
        Expr::col(Customers::DeletedAt).is_null()
    });
    let words = query.q.as_deref().unwrap_or_default();
    if !query.deleted {
        // Live customers: each word is a prefix of an indexed term.
        for matching in search::list_filters(org, words) {
            q.and_where(Expr::col(Customers::Id).in_subquery(matching));
        }
    }
    // The bin is not indexed for search: a substring scan of its few rows.
    for word in words
        .split_whitespace()
        .take(if query.deleted { 8 } else { 0 })
    {
        let word = word.to_lowercase();
        let needle = match hearth_domain::contact::phone_digits(&word) {
            Some(digits) => digits,
            None => word,
        };
        q.and_where(Expr::col(Customers::SearchText).like(crate::like::contains(&needle)));
    }
    if let Some(cursor) = &query.cursor {
        let (name, id): (String, uuid::Uuid) = page::decode(cursor).ok_or_else(|| {
            hearth_domain::Invalid::field("cursor", "is not a cursor from this list")
        })?;
        q.and_where(
            Expr::tuple([Expr::col(Customers::SortName), Expr::col(Customers::Id)])
                .gt(Expr::tuple([Expr::val(name), Expr::val(id)])),
        );
    }
    let rows = c
        .query(&q, |r| Ok((customer(r)?, r.get::<String>(12)?)))
        .await?;
    let page = page::finish(rows, query.limit, |(cu, name)| (name.clone(), cu.id.0));
    Ok(Page {
        items: page.items.into_iter().map(|(cu, _)| cu).collect(),
        next_cursor: page.next_cursor,
    })
}

/// Applies a partial update if `patch.version` is still the stored version.
pub async fn update(
    c: &mut Conn,
    org: OrgId,
    region: &str,
    actor: &Actor,
    id: CustomerId,
    patch: &CustomerPatch,
) -> Result<Customer> {
    let current = get(c, org, id, false).await?;
    if current.version != patch.version {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    let fields = current.fields.patched(patch, region, now().date_naive())?;
    let changes = diff(&audited(&current.fields), &audited(&fields));
    if changes.is_empty() {
        return Ok(current);
    }
    let n = write_fields(c, org, id, &fields, Some(patch.version)).await?;
    if n == 0 {
        return Err(StoreError::Conflict {
            current_version: current.version,
        });
    }
    search::reindex_customer(c, org, id).await?;
    let names: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
    let summary = format!("Changed {}", names.join(", ").replace('_', " "));
    record(c, org, actor, id, "updated", summary, &changes).await?;
    get(c, org, id, false).await
}

/// Stores a customer's validated fields and bumps its version; with
/// `version`, only if that is still the stored one. Returns rows changed
/// (0: stale or gone). Shared by edits and merges.
pub(crate) async fn write_fields(
    c: &mut Conn,
    org: OrgId,
    id: CustomerId,
    fields: &CustomerFields,
    version: Option<i64>,
) -> Result<u64> {
    let sql = if version.is_some() {
        "UPDATE customers SET first_name = $1, last_name = $2, business_name = $3, email = $4, phone = $5, \
         preferred_contact_method = $6, customer_since = $7, sort_name = $8, search_text = $9, name_key = $10, \
         version = version + 1, updated_at = $11 \
         WHERE id = $12 AND org_id = $13 AND deleted_at IS NULL AND version = $14"
    } else {
        "UPDATE customers SET first_name = $1, last_name = $2, business_name = $3, email = $4, phone = $5, \
         preferred_contact_method = $6, customer_since = $7, sort_name = $8, search_text = $9, name_key = $10, \
         version = version + 1, updated_at = $11 \
         WHERE id = $12 AND org_id = $13 AND deleted_at IS NULL"
    };
    let mut values: Vec<sea_query::Value> = vec![
        fields.first_name.clone().into(),
        fields.last_name.clone().into(),
        fields.business_name.clone().into(),
        fields.email.clone().into(),
        fields.phone.clone().into(),
        fields.preferred_contact_method.as_str().into(),
        fields.customer_since.into(),
        fields.sort_name().into(),
        search_text(fields).into(),
        fields.name_key().into(),
        now().into(),
        id.0.into(),
        org.0.into(),
    ];
    if let Some(v) = version {
        values.push(v.into());
    }
    c.execute(&Raw(sql, values)).await
}

/// Where a customer merged away now lives: follows `merged_into` (a kept
/// record may itself have been merged since) to a live customer.
pub async fn merged_target(c: &mut Conn, org: OrgId, id: CustomerId) -> Result<Option<CustomerId>> {
    let mut at = id;
    // A chain longer than this would need that many merges of merges.
    for _ in 0..16 {
        let next = c
            .query_opt(
                &Raw(
                    "SELECT merged_into, deleted_at IS NULL FROM customers WHERE id = $1 AND org_id = $2",
                    vec![at.0.into(), org.0.into()],
                ),
                |r| Ok((r.get::<Option<CustomerId>>(0)?, r.get::<bool>(1)?)),
            )
            .await?;
        match next {
            Some((Some(into), _)) => at = into,
            Some((None, true)) if at != id => return Ok(Some(at)),
            _ => return Ok(None),
        }
    }
    Ok(None)
}

/// Moves a customer to the bin; [`restore`] brings it back.
pub async fn delete(c: &mut Conn, org: OrgId, actor: &Actor, id: CustomerId) -> Result<()> {
    set_deleted(c, org, actor, id, true).await
}

pub async fn restore(c: &mut Conn, org: OrgId, actor: &Actor, id: CustomerId) -> Result<Customer> {
    set_deleted(c, org, actor, id, false).await?;
    get(c, org, id, false).await
}

async fn set_deleted(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: CustomerId,
    deleted: bool,
) -> Result<()> {
    let current = get(c, org, id, true).await?;
    if current.deleted_at.is_some() == deleted {
        // Already in the requested state: repeating the request is harmless.
        return Ok(());
    }
    if !deleted && merged_target(c, org, id).await?.is_some() {
        return Err(StoreError::Refused(
            "this customer was merged into another; undo the merge to bring it back".into(),
        ));
    }
    let now = now();
    c.execute(&Raw(
        "UPDATE customers SET deleted_at = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND org_id = $4",
        vec![if deleted { Some(now) } else { None }.into(), now.into(), id.0.into(), org.0.into()],
    ))
    .await?;
    search::reindex_customer(c, org, id).await?;
    let (action, verb) = if deleted {
        ("deleted", "deleted")
    } else {
        ("restored", "restored")
    };
    let summary = format!("Customer {} {verb}", current.display_name);
    record(c, org, actor, id, action, summary, &[]).await
}

/// The customers most recently added or changed, for the dashboard.
pub async fn recently_changed(c: &mut Conn, org: OrgId, limit: u64) -> Result<Vec<Customer>> {
    let mut q = Query::select();
    q.columns(COLUMNS)
        .from(Customers::Table)
        .and_where(Expr::col(Customers::OrgId).eq(org.0))
        .and_where(Expr::col(Customers::DeletedAt).is_null())
        .order_by(Customers::UpdatedAt, Order::Desc)
        .limit(limit);
    c.query(&q, customer).await
}
