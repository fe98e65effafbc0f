//! Lead records: the row, reading one, and listing them.

use crate::page::{self, Page};
use crate::{Conn, Raw, Result, Row};
use hearth_domain::leads::score::{ScoreLine, is_hot};
use hearth_domain::leads::{Lead, LeadFields, LeadSource};
use hearth_domain::{CustomerId, Invalid, LeadId, OrgId, PipelineId, StageId, UserId};
use sea_query::{Expr, ExprTrait, Order, Query};

#[derive(sea_query::Iden)]
pub(crate) enum Leads {
    Table,
    Id,
    OrgId,
    PipelineId,
    StageId,
    Position,
    FirstName,
    LastName,
    BusinessName,
    Email,
    Phone,
    ServiceAddress,
    Source,
    OwnerId,
    ValueMinor,
    Currency,
    ExpectedCloseDate,
    Notes,
    LostReason,
    Score,
    ScoreBreakdown,
    CustomerId,
    OrderId,
    WonAt,
    LostAt,
    StageEnteredAt,
    SearchText,
    Version,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

/// In the order [`lead`] reads them; the card's place in its column
/// follows them (see [`select`]).
pub(crate) const COLUMNS: [Leads; 26] = [
    Leads::Id,
    Leads::PipelineId,
    Leads::StageId,
    Leads::FirstName,
    Leads::LastName,
    Leads::BusinessName,
    Leads::Email,
    Leads::Phone,
    Leads::ServiceAddress,
    Leads::Source,
    Leads::OwnerId,
    Leads::ValueMinor,
    Leads::Currency,
    Leads::ExpectedCloseDate,
    Leads::Notes,
    Leads::LostReason,
    Leads::Score,
    Leads::ScoreBreakdown,
    Leads::CustomerId,
    Leads::OrderId,
    Leads::WonAt,
    Leads::LostAt,
    Leads::StageEnteredAt,
    Leads::Version,
    Leads::CreatedAt,
    Leads::UpdatedAt,
];

pub(crate) fn lead(r: &Row) -> Result<Lead> {
    let source: String = r.get(9)?;
    let fields = LeadFields {
        first_name: r.get(3)?,
        last_name: r.get(4)?,
        business_name: r.get(5)?,
        email: r.get(6)?,
        phone: r.get(7)?,
        service_address: r.get(8)?,
        source: LeadSource::parse(&source).unwrap_or(LeadSource::Other),
        owner_id: r.get(10)?,
        value_minor: r.get(11)?,
        currency: r.get(12)?,
        expected_close_date: r.get(13)?,
        notes: r.get(14)?,
        lost_reason: r.get(15)?,
    };
    let score: i64 = r.get(16)?;
    let breakdown: Vec<ScoreLine> =
        serde_json::from_value(r.get::<serde_json::Value>(17)?).unwrap_or_default();
    Ok(Lead {
        id: r.get(0)?,
        pipeline_id: r.get(1)?,
        stage_id: r.get(2)?,
        position: r.get(26)?,
        display_name: fields.display_name(),
        fields,
        score,
        hot: is_hot(score),
        score_breakdown: breakdown,
        customer_id: r.get(18)?,
        order_id: r.get(19)?,
        won_at: r.get(20)?,
        lost_at: r.get(21)?,
        stage_entered_at: r.get(22)?,
        version: r.get(23)?,
        created_at: r.get(24)?,
        updated_at: r.get(25)?,
    })
}

/// A card's `position`, its 0-based place in its column: sort keys are
/// sparse (see the board module), so the place is the number of cards
/// before it, counted on the covering index `leads_board`. Keys in a column
/// are distinct, so "before" needs no tie-break.
const PLACE: &str = "(SELECT COUNT(*) FROM leads o WHERE o.org_id = leads.org_id \
     AND o.pipeline_id = leads.pipeline_id AND o.stage_id = leads.stage_id \
     AND o.deleted_at IS NULL AND o.position < leads.position)";

/// Leads with what [`lead`] reads, each with its place counted; the board
/// passes `false` where it knows the places already.
pub(crate) fn select(count_place: bool) -> sea_query::SelectStatement {
    let mut q = Query::select();
    q.columns(COLUMNS);
    if count_place {
        q.expr(Expr::cust(PLACE));
    } else {
        // A literal: PostgreSQL would take a bound value here for text.
        q.expr(Expr::cust("CAST(-1 AS BIGINT)"));
    }
    q.from(Leads::Table);
    q
}

/// A live lead of this organisation.
pub async fn get(c: &mut Conn, org: OrgId, id: LeadId) -> Result<Lead> {
    let mut q = select(true);
    q.and_where(Expr::col(Leads::Id).eq(id.0))
        .and_where(Expr::col(Leads::OrgId).eq(org.0))
        .and_where(Expr::col(Leads::DeletedAt).is_null());
    c.query_one(&q, lead).await
}

/// A lead of this organisation even if deleted (its history outlives it).
pub async fn get_any(c: &mut Conn, org: OrgId, id: LeadId) -> Result<Lead> {
    let mut q = select(true);
    q.and_where(Expr::col(Leads::Id).eq(id.0))
        .and_where(Expr::col(Leads::OrgId).eq(org.0));
    c.query_one(&q, lead).await
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ListOrder {
    /// Newest first.
    #[default]
    Recent,
    /// Highest score first (the priority view).
    Score,
}

#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    pub pipeline_id: Option<PipelineId>,
    pub stage_id: Option<StageId>,
    pub owner_id: Option<UserId>,
    pub source: Option<LeadSource>,
    /// Only leads scoring above 70, highest first.
    pub hot: bool,
    pub customer_id: Option<CustomerId>,
    /// Words that must all appear in the name, business, email or phone.
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: u64,
}

/// Applies the filters every lead listing shares (also the board's).
pub(crate) fn filter(q: &mut sea_query::SelectStatement, org: OrgId, query: &ListQuery) {
    q.and_where(Expr::col(Leads::OrgId).eq(org.0))
        .and_where(Expr::col(Leads::DeletedAt).is_null());
    if let Some(p) = query.pipeline_id {
        q.and_where(Expr::col(Leads::PipelineId).eq(p.0));
    }
    if let Some(s) = query.stage_id {
        q.and_where(Expr::col(Leads::StageId).eq(s.0));
    }
    if let Some(o) = query.owner_id {
        q.and_where(Expr::col(Leads::OwnerId).eq(o.0));
    }
    if let Some(s) = query.source {
        q.and_where(Expr::col(Leads::Source).eq(s.as_str()));
    }
    if let Some(cu) = query.customer_id {
        q.and_where(Expr::col(Leads::CustomerId).eq(cu.0));
    }
    if query.hot {
        q.and_where(Expr::col(Leads::Score).gt(hearth_domain::leads::score::HOT_ABOVE));
    }
    for word in query
        .q
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .take(8)
    {
        let word = word.to_lowercase();
        let needle = hearth_domain::contact::phone_digits(&word).unwrap_or(word);
        q.and_where(Expr::col(Leads::SearchText).like(crate::like::contains(&needle)));
    }
}

/// Leads newest first, or with `hot` highest score first; a page at a time.
pub async fn list(c: &mut Conn, org: OrgId, query: &ListQuery) -> Result<Page<Lead>> {
    let order = if query.hot {
        ListOrder::Score
    } else {
        ListOrder::Recent
    };
    let mut q = select(true);
    q.limit(query.limit + 1);
    filter(&mut q, org, query);
    let bad_cursor = || Invalid::field("cursor", "is not a cursor from this list");
    match order {
        ListOrder::Recent => {
            q.order_by(Leads::CreatedAt, Order::Desc)
                .order_by(Leads::Id, Order::Desc);
            if let Some(cursor) = &query.cursor {
                let (at, id): (chrono::DateTime<chrono::Utc>, uuid::Uuid) =
                    page::decode(cursor).ok_or_else(bad_cursor)?;
                q.and_where(
                    Expr::tuple([Expr::col(Leads::CreatedAt), Expr::col(Leads::Id)])
                        .lt(Expr::tuple([Expr::val(at), Expr::val(id)])),
                );
            }
        }
        ListOrder::Score => {
            q.order_by(Leads::Score, Order::Desc)
                .order_by(Leads::Id, Order::Desc);
            if let Some(cursor) = &query.cursor {
                let (score, id): (i64, uuid::Uuid) = page::decode(cursor).ok_or_else(bad_cursor)?;
                q.and_where(
                    Expr::tuple([Expr::col(Leads::Score), Expr::col(Leads::Id)])
                        .lt(Expr::tuple([Expr::val(score), Expr::val(id)])),
                );
            }
        }
    }
    let rows = c.query(&q, lead).await?;
    Ok(match order {
        ListOrder::Recent => page::finish(rows, query.limit, |l| (l.created_at, l.id.0)),
        ListOrder::Score => page::finish(rows, query.limit, |l| (l.score, l.id.0)),
    })
}

/// Active users who can own leads, by name (for pickers).
pub async fn owners(c: &mut Conn, org: OrgId) -> Result<Vec<(UserId, String)>> {
    c.query(
        &Raw(
            "SELECT id, name FROM users WHERE org_id = $1 AND disabled_at IS NULL ORDER BY name, id",
            vec![org.0.into()],
        ),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .await
}
