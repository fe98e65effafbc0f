//! The organisation's duplicate pairs, for review: customers sharing a
//! phone, an email or a service address, each pair scored on all evidence.

use super::{Candidate, PROBE_CAP, address_row, candidate, profiles};
use crate::{Conn, Raw, Result};
use hearth_domain::OrgId;
use hearth_domain::duplicates::{self as rules, Profile, Reason};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{DefaultHasher, Hash, Hasher};
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

/// Customers sharing one blocking key (`duplicates::blocking_keys`): a
/// phone, an email or a service address, in one pass over the
/// organisation's customers and one over its addresses. Groups larger than
/// [`PROBE_CAP`] are left out: a value shared by hundreds, such as an
/// office's switchboard or a tower block without flat numbers, says nothing
/// about any two of them. Keys are kept as 64-bit hashes (a million
/// customers then need tens of megabytes); a collision only adds a pair
/// that the comparison turns down. Two scans rather than a join: with no
/// statistics yet (a fresh bulk load) PostgreSQL planned the join as a
/// nested loop over both tables, minutes at 100k customers. An address of
/// a customer in the bin has no profile, so its pairs are dropped later.
async fn groups(c: &mut Conn, org: OrgId) -> Result<Vec<Vec<Uuid>>> {
    fn keyed(profile: Profile) -> Vec<(u64, Uuid)> {
        rules::blocking_keys(&profile)
            .iter()
            .map(|k| {
                let mut h = DefaultHasher::new();
                k.hash(&mut h);
                (h.finish(), profile.id)
            })
            .collect()
    }
    let customers = c
        .query(
            &Raw(
                "SELECT id, email, phone FROM customers WHERE org_id = $1 AND deleted_at IS NULL",
                vec![org.0.into()],
            ),
            |r| {
                Ok(keyed(Profile {
                    id: r.get(0)?,
                    email: r.get(1)?,
                    phone: r.get(2)?,
                    ..Profile::default()
                }))
            },
        )
        .await?;
    let addresses = c
        .query(
            &Raw(
                "SELECT customer_id, line1, postal_code FROM addresses \
                 WHERE org_id = $1 AND deleted_at IS NULL",
                vec![org.0.into()],
            ),
            |r| {
                Ok(keyed(Profile {
                    id: r.get(0)?,
                    addresses: vec![address_row(r, 1)?],
                    ..Profile::default()
                }))
            },
        )
        .await?;
    let mut keyed: Vec<(u64, Uuid)> = customers.into_iter().chain(addresses).flatten().collect();
    keyed.sort_unstable();
    keyed.dedup();
    Ok(keyed
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|g| g.len() > 1 && g.len() <= PROBE_CAP as usize)
        .map(|g| g.iter().map(|(_, id)| *id).collect())
        .collect())
}

/// The organisation's duplicate pairs, best first, at most `limit`: every
/// pair of live customers that shares a blocking key is compared, so a
/// typo in a name is found as long as the phone, the email or an address
/// agrees (as every duplicate's must). The same data gives the same list,
/// so a page of it can be taken by position.
pub async fn pairs(c: &mut Conn, org: OrgId, limit: usize) -> Result<Vec<Pair>> {
    let all = groups(c, org).await?;
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
