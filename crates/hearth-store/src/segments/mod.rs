//! Segments: the five built in and the filters an organisation saves, each
//! read as a condition on `customer_facts` at the moment of the request
//! (see `facts` for why that is always current). Saved segments are
//! audited; they are soft-deleted.

pub mod compile;
pub mod facts;
pub mod settings;

use crate::history::{self, Change};
use crate::orgs::now;
use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row, StoreError};
use hearth_domain::customers::display_name;
use hearth_domain::history::{Actor, all_fields, diff};
use hearth_domain::segments::builtin::BuiltIn;
use hearth_domain::segments::filter::{Filter, FilterInput};
use hearth_domain::segments::{
    COUNT_CAP, CustomerSegment, SavedSegment, SegmentCount, SegmentFields, SegmentInput,
    SegmentKind, SegmentMember, SegmentPatch, SegmentSummary,
};
use hearth_domain::{CustomerId, Invalid, OrgId, SegmentId};
use sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};

/// A segment found by its key, ready to run.
pub struct Segment {
    pub key: String,
    pub name: String,
    pub kind: SegmentKind,
    pub description: String,
    pub filter: Filter,
    /// The stored record of a saved segment.
    pub saved: Option<SavedSegment>,
}

fn saved(r: &Row) -> Result<SavedSegment> {
    let definition: serde_json::Value = r.get(2)?;
    Ok(SavedSegment {
        id: r.get(0)?,
        name: r.get(1)?,
        filter: serde_json::from_value(definition)
            .map_err(|e| StoreError::Db(format!("stored segment filter: {e}")))?,
        version: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

/// A stored filter was valid when saved and no later change can make it
/// invalid (tags are matched by name); failing here means a bad row.
fn checked(s: &SavedSegment) -> Result<Filter> {
    s.filter
        .validate("filter")
        .map_err(|e| StoreError::Db(format!("stored segment filter: {}", e.summary())))
}

fn built_in(b: BuiltIn, s: &hearth_domain::segments::settings::SegmentSettings) -> Segment {
    Segment {
        key: b.key().to_string(),
        name: b.name().to_string(),
        kind: SegmentKind::BuiltIn,
        description: b.describe(s),
        filter: b.filter(s),
        saved: None,
    }
}

fn from_saved(s: SavedSegment) -> Result<Segment> {
    Ok(Segment {
        key: s.id.to_string(),
        name: s.name.clone(),
        kind: SegmentKind::Saved,
        description: s.filter.describe(),
        filter: checked(&s)?,
        saved: Some(s),
    })
}

/// The segment with this key: a built-in key or a saved segment's id of
/// this organisation; anything else is not found.
pub async fn find(c: &mut Conn, org: OrgId, key: &str) -> Result<Segment> {
    if let Some(b) = BuiltIn::parse(key) {
        return Ok(built_in(b, &settings::get(c, org).await?));
    }
    let id: SegmentId = key.parse().map_err(|_| StoreError::NotFound)?;
    from_saved(get_saved(c, org, id).await?)
}

/// The built-in segments, then the saved ones by name.
pub async fn all(c: &mut Conn, org: OrgId) -> Result<Vec<Segment>> {
    let s = settings::get(c, org).await?;
    let mut out: Vec<Segment> = BuiltIn::ALL.into_iter().map(|b| built_in(b, &s)).collect();
    let rows = c
        .query(
            &Raw(
                "SELECT id, name, definition, version, created_at, updated_at FROM segments \
                 WHERE org_id = $1 AND deleted_at IS NULL ORDER BY name, id",
                vec![org.0.into()],
            ),
            saved,
        )
        .await?;
    for r in rows {
        out.push(from_saved(r)?);
    }
    Ok(out)
}

/// `customer_facts f` of the organisation where `filter` holds now.
fn matching(org: OrgId, filter: &Filter) -> Result<SelectStatement> {
    let mut q = Query::select();
    q.from_as("customer_facts", "f")
        .and_where(Expr::cust("f.org_id").eq(org.0))
        .cond_where(compile::condition(filter, now())?);
    Ok(q)
}

/// How many customers the filter holds for now: exactly, or only up to
/// [`COUNT_CAP`] (the cost of a count grows with what it counts).
pub async fn count(c: &mut Conn, org: OrgId, filter: &Filter, exact: bool) -> Result<SegmentCount> {
    let mut q = matching(org, filter)?;
    if exact {
        q.expr(Expr::cust("COUNT(*)"));
        let count = c.query_one(&q, |r| r.get::<i64>(0)).await?;
        return Ok(SegmentCount {
            count,
            capped: false,
        });
    }
    q.expr(Expr::cust("1")).limit(COUNT_CAP as u64 + 1);
    let mut outer = Query::select();
    outer
        .expr(Expr::cust("COUNT(*)"))
        .from_subquery(q, sea_query::Alias::new("m"));
    let counted = c.query_one(&outer, |r| r.get::<i64>(0)).await?;
    Ok(SegmentCount::of_capped(counted))
}

/// Every segment of the organisation with its count.
pub async fn list(c: &mut Conn, org: OrgId) -> Result<Vec<SegmentSummary>> {
    let mut out = vec![];
    for s in all(c, org).await? {
        let count = count(c, org, &s.filter, false).await?;
        out.push(summary(s, count));
    }
    Ok(out)
}

pub fn summary(s: Segment, count: SegmentCount) -> SegmentSummary {
    SegmentSummary {
        key: s.key,
        name: s.name,
        kind: s.kind,
        description: s.description,
        count: count.count,
        count_capped: count.capped,
        version: s.saved.as_ref().map(|x| x.version),
        filter: s.saved.map(|x| x.filter),
    }
}

/// The customers in a segment, in id order (oldest customer first),
/// paged by the last id seen.
pub async fn members(
    c: &mut Conn,
    org: OrgId,
    filter: &Filter,
    after: Option<CustomerId>,
    limit: u64,
) -> Result<Page<SegmentMember>> {
    let mut q = matching(org, filter)?;
    q.expr(Expr::cust("f.customer_id"))
        .expr(Expr::cust("c.first_name"))
        .expr(Expr::cust("c.last_name"))
        .expr(Expr::cust("c.business_name"))
        .expr(Expr::cust("c.email"))
        .expr(Expr::cust("c.phone"))
        .expr(Expr::cust("f.bookings"))
        .expr(Expr::cust("f.last_booking_at"))
        .expr(Expr::cust("f.lifetime_minor"))
        .expr(Expr::cust("f.membership"))
        .join_as(
            sea_query::JoinType::InnerJoin,
            "customers",
            "c",
            Expr::cust("c.id = f.customer_id"),
        )
        .order_by_expr(Expr::cust("f.customer_id"), Order::Asc)
        .limit(limit + 1);
    if let Some(after) = after {
        q.and_where(Expr::cust("f.customer_id").gt(after.0));
    }
    let rows = c
        .query(&q, |r| {
            let first: Option<String> = r.get(1)?;
            let last: Option<String> = r.get(2)?;
            let business: Option<String> = r.get(3)?;
            Ok(SegmentMember {
                id: r.get(0)?,
                name: display_name(first.as_deref(), last.as_deref(), business.as_deref()),
                email: r.get(4)?,
                phone: r.get(5)?,
                bookings: r.get(6)?,
                last_booking_at: r.get(7)?,
                lifetime_value_minor: r.get(8)?,
                membership: r.get(9)?,
            })
        })
        .await?;
    Ok(page::finish(rows, limit, |m| m.id))
}

/// The audience of a bulk message: the ids of the customers in the segment
/// with this key, `limit` at a time after `after` (id order), so a sender
/// walks any segment in bounded batches.
pub async fn audience(
    c: &mut Conn,
    org: OrgId,
    key: &str,
    after: Option<CustomerId>,
    limit: u64,
) -> Result<Vec<CustomerId>> {
    let segment = find(c, org, key).await?;
    let mut q = matching(org, &segment.filter)?;
    q.expr(Expr::cust("f.customer_id"))
        .order_by_expr(Expr::cust("f.customer_id"), Order::Asc)
        .limit(limit);
    if let Some(after) = after {
        q.and_where(Expr::cust("f.customer_id").gt(after.0));
    }
    c.query(&q, |r| r.get::<CustomerId>(0)).await
}

/// The segments a live customer is in now: one row, one column per segment.
pub async fn of_customer(
    c: &mut Conn,
    org: OrgId,
    customer: CustomerId,
) -> Result<Vec<CustomerSegment>> {
    let segments = all(c, org).await?;
    let at = now();
    let mut q = Query::select();
    q.from_as("customer_facts", "f")
        .and_where(Expr::cust("f.org_id").eq(org.0))
        .and_where(Expr::cust("f.customer_id").eq(customer.0));
    for s in &segments {
        q.expr(
            Expr::case(compile::condition(&s.filter, at)?, Expr::cust("TRUE"))
                .finally(Expr::cust("FALSE")),
        );
    }
    let Some(flags) = c
        .query_opt(&q, |r| {
            (0..segments.len())
                .map(|i| r.get::<bool>(i))
                .collect::<Result<Vec<bool>>>()
        })
        .await?
    else {
        return Ok(vec![]);
    };
    Ok(segments
        .into_iter()
        .zip(flags)
        .filter(|(_, inside)| *inside)
        .map(|(s, _)| CustomerSegment {
            key: s.key,
            name: s.name,
            kind: s.kind,
        })
        .collect())
}

pub async fn get_saved(c: &mut Conn, org: OrgId, id: SegmentId) -> Result<SavedSegment> {
    c.query_one(
        &Raw(
            "SELECT id, name, definition, version, created_at, updated_at FROM segments \
             WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL",
            vec![id.0.into(), org.0.into()],
        ),
        saved,
    )
    .await
}

/// A saved segment's id from its key; a built-in key cannot be changed.
pub fn saved_id(key: &str) -> Result<SegmentId> {
    if BuiltIn::parse(key).is_some() {
        return Err(Invalid::field(
            "key",
            "is a built-in segment; change its thresholds in the segment settings instead",
        )
        .into());
    }
    key.parse().map_err(|_| StoreError::NotFound)
}

fn audited(f: &SegmentFields) -> serde_json::Value {
    serde_json::to_value(f).unwrap_or_default()
}

async fn audit(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: SegmentId,
    action: &'static str,
    summary: String,
    fields: &[hearth_domain::history::FieldChange],
) -> Result<()> {
    let change = Change {
        entity: "segment",
        entity_id: id.0,
        customer_id: None,
        lead_id: None,
        action,
        kind: "segment",
        summary,
        fields,
    };
    history::record(c, org, actor, change).await
}

fn definition(filter: &FilterInput) -> serde_json::Value {
    serde_json::to_value(filter).unwrap_or_default()
}

pub async fn create(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    input: &SegmentInput,
) -> Result<SavedSegment> {
    let (fields, _) = input.validate()?;
    let id = SegmentId::new();
    c.execute(&Raw(
        "INSERT INTO segments (id, org_id, name, definition, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 1, $5, $5)",
        vec![
            id.0.into(),
            org.0.into(),
            fields.name.clone().into(),
            definition(&fields.filter).into(),
            now().into(),
        ],
    ))
    .await?;
    let changes = all_fields(&audited(&fields), true);
    let summary = format!("Segment {} created", fields.name);
    audit(c, org, actor, id, "created", summary, &changes).await?;
    get_saved(c, org, id).await
}

pub async fn update(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: SegmentId,
    patch: &SegmentPatch,
) -> Result<SavedSegment> {
    let current = get_saved(c, org, id).await?;
    crate::billing::check_version(current.version, patch.version)?;
    let before = SegmentFields {
        name: current.name.clone(),
        filter: current.filter.clone(),
    };
    let (next, _) = before.patched(patch)?;
    let changes = diff(&audited(&before), &audited(&next));
    if changes.is_empty() {
        return Ok(current);
    }
    let n = c
        .execute(&Raw(
            "UPDATE segments SET name = $1, definition = $2, version = version + 1, updated_at = $3 \
             WHERE id = $4 AND org_id = $5 AND version = $6 AND deleted_at IS NULL",
            vec![
                next.name.clone().into(),
                definition(&next.filter).into(),
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
    let summary = format!("Segment {} changed", next.name);
    audit(c, org, actor, id, "updated", summary, &changes).await?;
    get_saved(c, org, id).await
}

/// Moves a saved segment to the bin; with `version`, only if still current.
pub async fn delete(
    c: &mut Conn,
    org: OrgId,
    actor: &Actor,
    id: SegmentId,
    version: Option<i64>,
) -> Result<()> {
    let current = get_saved(c, org, id).await?;
    if let Some(v) = version {
        crate::billing::check_version(current.version, v)?;
    }
    let n = c
        .execute(&Raw(
            "UPDATE segments SET deleted_at = $1, version = version + 1, updated_at = $1 \
             WHERE id = $2 AND org_id = $3 AND version = $4 AND deleted_at IS NULL",
            vec![
                now().into(),
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
    let summary = format!("Segment {} deleted", current.name);
    audit(c, org, actor, id, "deleted", summary, &[]).await
}
