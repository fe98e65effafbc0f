//! The organisation's duplicate pairs, for review: customers sharing a
//! phone, an email or a whole name, each pair scored on all evidence.

use super::{Candidate, PROBE_CAP, candidate, profiles};
use crate::search::Dynamic;
use crate::{Conn, Result};
use hearth_domain::OrgId;
use hearth_domain::duplicates::{self as rules, Profile, Reason};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// A pair of customers of the organisation that look like one. `a` is the
/// older record (ids are time-ordered), the natural one to keep.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Pair {
    pub a: Candidate,
    pub b: Candidate,
    pub score: u32,
    pub reasons: Vec<Reason>,
}

/// Customers sharing one value of `column`, for the first `groups` shared
/// values in value order, at most [`PROBE_CAP`] per value (a value shared
/// by hundreds, such as an office's switchboard, says nothing about any
/// two of them). One statement, so one round trip per column.
async fn groups(c: &mut Conn, org: OrgId, column: &str, groups: usize) -> Result<Vec<Vec<Uuid>>> {
    let rows = c
        .query(
            &Dynamic(
                format!(
                    "SELECT k, id FROM (SELECT {column} AS k, id, \
                     ROW_NUMBER() OVER (PARTITION BY {column} ORDER BY id) AS n FROM customers \
                     WHERE org_id = $1 AND deleted_at IS NULL AND {column} IN (\
                     SELECT {column} FROM customers WHERE org_id = $1 AND deleted_at IS NULL \
                     AND {column} IS NOT NULL AND {column} <> '' \
                     GROUP BY {column} HAVING COUNT(*) > 1 ORDER BY {column} LIMIT $2)) g \
                     WHERE n <= $3 ORDER BY k, id"
                ),
                vec![org.0.into(), (groups as i64).into(), PROBE_CAP.into()],
            ),
            |r| Ok((r.get::<String>(0)?, r.get::<Uuid>(1)?)),
        )
        .await?;
    let mut out: Vec<Vec<Uuid>> = Vec::new();
    let mut last: Option<String> = None;
    for (key, id) in rows {
        match (&last, out.last_mut()) {
            (Some(k), Some(group)) if *k == key => group.push(id),
            _ => {
                out.push(vec![id]);
                last = Some(key);
            }
        }
    }
    Ok(out)
}

/// The organisation's duplicate pairs, best first, at most `limit`.
/// Grouped by the database over three indexes; typos in names are found
/// per customer (`of_customer`, on create), not here. The same data gives
/// the same list, so a page of it can be taken by position.
pub async fn pairs(c: &mut Conn, org: OrgId, limit: usize) -> Result<Vec<Pair>> {
    let mut all: Vec<Vec<Uuid>> = Vec::new();
    for column in ["phone", "email", "sort_name"] {
        all.extend(groups(c, org, column, limit * 2).await?);
    }
    let ids: BTreeSet<Uuid> = all.iter().flatten().copied().collect();
    let ids: Vec<Uuid> = ids.into_iter().collect();
    let profiles: BTreeMap<Uuid, Profile> = profiles(c, org, &ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for group in &all {
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                let key = if a < b { (*a, *b) } else { (*b, *a) };
                let (Some(pa), Some(pb)) = (profiles.get(&key.0), profiles.get(&key.1)) else {
                    continue;
                };
                if !seen.insert(key) {
                    continue;
                }
                if let Some(l) = rules::compare(pa, pb) {
                    let (score, reasons) = (l.score, l.reasons.clone());
                    out.push(Pair {
                        a: candidate(pa, l.clone()),
                        b: candidate(pb, l),
                        score,
                        reasons,
                    });
                }
            }
        }
    }
    out.sort_by(|x, y| {
        y.score
            .cmp(&x.score)
            .then((x.a.customer_id, x.b.customer_id).cmp(&(y.a.customer_id, y.b.customer_id)))
    });
    out.truncate(limit);
    Ok(out)
}
