//! Duplicate customers on the pages: the organisation's review list, a
//! customer's look-alikes, and the card's part (the notice after a merge,
//! and a slot the look-alikes fill).

use super::{Chrome, Html, error_page, render};
use crate::AppState;
use crate::auth::PageAuth;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use hearth_domain::auth::Action;
use hearth_domain::customers::Customer;
use hearth_domain::{CustomerId, MergeId, OrgId};
use hearth_store::duplicates::{self, Candidate, Pair};
use hearth_store::merges::{self, Merge};
use hearth_store::{Conn, StoreError, customers, work};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/duplicates", get(list))
        .route("/customers/{id}/look-alikes", get(look_alikes))
}

/// Pairs shown per page.
const PER_PAGE: usize = 25;
/// Pairs ranked for review at most: the strongest of them come first, and
/// merging some brings the next ones in.
const REVIEWED: usize = 500;
/// Look-alikes the card names at most.
const ON_CARD: usize = 3;

#[derive(Deserialize)]
pub struct ListParams {
    page: Option<usize>,
}

#[derive(Template)]
#[template(path = "duplicates/list.html")]
struct ListPage {
    chrome: Chrome,
    pairs: Vec<Pair>,
    /// 1-based.
    page: usize,
    pages: usize,
    total: usize,
    capped: bool,
    can_merge: bool,
}

async fn list(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(p): Query<ListParams>,
) -> Result<Html, Response> {
    auth.require(Action::ReadCustomers).map_err(error_page)?;
    let org = auth.principal.org_id;
    let all = s
        .store
        .read_scan(work!(|c| duplicates::pairs(c, org, REVIEWED)))
        .await
        .map_err(|e| error_page(e.into()))?;
    let total = all.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = p.page.unwrap_or(1).clamp(1, pages);
    let pairs = all
        .into_iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .collect();
    render(&ListPage {
        chrome: Chrome::of(&auth),
        pairs,
        page,
        pages,
        total,
        capped: total == REVIEWED,
        can_merge: auth.require(Action::DeleteCustomers).is_ok(),
    })
}

/// What the customer card shows about duplicates.
pub struct DuplicatesCard {
    /// The merge just made into this customer (`?merged=`), with the name
    /// of the record merged away, while it can still be undone.
    pub just_merged: Option<(Merge, String)>,
}

/// Reads the card's part inside the card's own unit of work.
pub async fn load_card(
    c: &mut Conn,
    org: OrgId,
    customer: &Customer,
    merged: Option<MergeId>,
) -> hearth_store::Result<DuplicatesCard> {
    let just_merged = match merged {
        None => None,
        Some(id) => match merges::get(c, org, id).await {
            Ok(m) if m.kept_id == customer.id && m.undone_at.is_none() => {
                let name = customers::get(c, org, m.merged_id, true)
                    .await?
                    .display_name;
                Some((m, name))
            }
            Ok(_) | Err(StoreError::NotFound) => None,
            Err(e) => return Err(e),
        },
    };
    Ok(DuplicatesCard { just_merged })
}

#[derive(Template)]
#[template(path = "duplicates/look_alikes.html")]
struct LookAlikesPage {
    chrome: Chrome,
    c: Customer,
    candidates: Vec<Candidate>,
    can_merge: bool,
}

/// A live customer's look-alikes: a page of its own, which the card's
/// script also reads to fill its slot after the card has loaded, so the
/// card never waits for the check (when it searched names and addresses
/// it cost more than the rest of the card together).
async fn look_alikes(
    State(s): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<CustomerId>,
) -> Result<Html, Response> {
    auth.require(Action::ReadCustomers).map_err(error_page)?;
    let org = auth.principal.org_id;
    let (c, candidates) = s
        .store
        .read(work!(|c| async {
            let customer = customers::get(c, org, id, false).await?;
            let candidates = duplicates::of_customer(c, org, id, ON_CARD).await?;
            Ok((customer, candidates))
        }))
        .await
        .map_err(|e| error_page(e.into()))?;
    render(&LookAlikesPage {
        chrome: Chrome::of(&auth),
        c,
        candidates,
        can_merge: auth.require(Action::DeleteCustomers).is_ok(),
    })
}
