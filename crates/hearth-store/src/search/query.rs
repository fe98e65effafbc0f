//! Answering a search: bounded index probes, then scoring in Rust.

use super::{
    CANDIDATE_CAP, CORRECTIONS_CAP, Dynamic, PAIR_CAP, PROBE_SLOTS, SEPARATOR, SearchFuzzy,
    SearchTerms, TYPO_CAP, WORD_CAP, placeholders,
};
use crate::{Conn, Engine, Raw, Result};
use hearth_domain::search::{self as rules, Field, PAIR_MARK, PHONE_MARK, Query, prefix_range};
use hearth_domain::{CustomerId, OrgId};
use sea_query::{Expr, ExprTrait, Query as SeaQuery, SelectStatement, UnionType, Value};
use serde::Serialize;
use std::collections::{BTreeSet, HashSet};

/// One customer found by [`search`].
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    pub customer_id: CustomerId,
    pub display_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Which part of the customer matched best.
    pub matched: Field,
    /// Higher is better; exact matches outrank prefix matches, which
    /// outrank matches with a typo.
    pub score: u32,
}

/// One index lookup: terms starting with a prefix, or one exact term.
/// Each is its own statement with fixed text: an `OR` of ranges is not
/// served from the index by SQLite (it scans the organisation's terms).
enum Probe {
    Prefix(String),
    Exact(String),
}

/// What one query word may match in the index: terms starting with it
/// (phone suffixes too, for digits), and its typo corrections exactly.
fn word_probes(word: &str, corrections: &[String]) -> Vec<Probe> {
    let mut probes = vec![Probe::Prefix(word.to_string())];
    if word.chars().all(|c| c.is_ascii_digit()) && word.len() >= rules::MIN_PHONE_DIGITS {
        probes.push(Probe::Prefix(format!("{PHONE_MARK}{word}")));
    }
    probes.extend(corrections.iter().cloned().map(Probe::Exact));
    probes
}

/// For each group of probes, the customer ids they find (each once, in
/// probe order, terms in index order) and whether any of its probes was cut
/// off at [`WORD_CAP`]. One statement for all of them, a `UNION ALL` of
/// one range scan per probe, so a query costs one round trip on
/// PostgreSQL however many words and corrections it has.
async fn probe_groups(
    c: &mut Conn,
    org: OrgId,
    groups: &[Vec<Probe>],
) -> Result<Vec<(Vec<CustomerId>, bool)>> {
    let mut out: Vec<(Vec<CustomerId>, bool)> = vec![(Vec::new(), false); groups.len()];
    // Every probe as a half-open term range; an exact term is the range up
    // to itself followed by \u{1} (no term continues with a control char).
    let mut owner = Vec::new();
    let mut ranges = Vec::new();
    for (g, probes) in groups.iter().enumerate() {
        for p in probes {
            owner.push(g);
            ranges.push(match p {
                Probe::Prefix(prefix) => prefix_range(prefix),
                Probe::Exact(term) => (term.clone(), format!("{term}\u{1}")),
            });
        }
    }
    if ranges.is_empty() {
        return Ok(out);
    }
    let map = |r: &crate::Row| Ok((r.get::<i64>(0)? as usize, r.get::<CustomerId>(1)?));
    let rows = match c.engine() {
        Engine::Sqlite => {
            let mut values: Vec<Value> = vec![org.0.into(), (WORD_CAP as i64).into()];
            let slots = ranges.len().div_ceil(PROBE_SLOTS) * PROBE_SLOTS;
            // An empty range finds nothing at the cost of one index probe.
            ranges.resize(slots, (String::new(), String::new()));
            let branches: Vec<String> = ranges
                .into_iter()
                .enumerate()
                .map(|(k, (from, to))| {
                    let n = values.len() + 1;
                    values.push(from.into());
                    values.push(to.into());
                    format!(
                        "SELECT CAST({k} AS BIGINT), customer_id FROM (SELECT customer_id, term \
                         FROM search_terms WHERE org_id = $1 AND term >= ${n} AND term < ${} \
                         ORDER BY term, customer_id LIMIT $2) p{k}",
                        n + 1
                    )
                })
                .collect();
            c.query(&Dynamic(branches.join(" UNION ALL "), values), map)
                .await?
        }
        // PostgreSQL plans a new statement text in milliseconds, longer
        // than the probes take; one fixed text takes the ranges as lists.
        Engine::Postgres => {
            let pack = |items: Vec<String>| items.join(SEPARATOR);
            let ks = pack((0..ranges.len()).map(|k| k.to_string()).collect());
            let (froms, tos): (Vec<String>, Vec<String>) = ranges.into_iter().unzip();
            c.query(
                &Raw(
                    "SELECT p.k, t.customer_id \
                     FROM unnest(string_to_array($2, chr(31))::bigint[], string_to_array($3, chr(31)), \
                                 string_to_array($4, chr(31))) AS p(k, lo, hi) \
                     CROSS JOIN LATERAL (SELECT customer_id, term FROM search_terms \
                       WHERE org_id = $1 AND term >= p.lo COLLATE \"C\" AND term < p.hi COLLATE \"C\" \
                       ORDER BY term, customer_id LIMIT $5) t",
                    vec![
                        org.0.into(),
                        ks.into(),
                        pack(froms).into(),
                        pack(tos).into(),
                        (WORD_CAP as i64).into(),
                    ],
                ),
                map,
            )
            .await?
        }
    };
    let mut per_probe: Vec<Vec<CustomerId>> = vec![Vec::new(); owner.len()];
    for (k, id) in rows {
        if let Some(list) = per_probe.get_mut(k) {
            list.push(id);
        }
    }
    let mut seen: Vec<HashSet<CustomerId>> = vec![HashSet::new(); groups.len()];
    for (ids, &g) in per_probe.into_iter().zip(&owner) {
        let (list, capped) = &mut out[g];
        *capped |= ids.len() as u64 >= WORD_CAP;
        list.extend(ids.into_iter().filter(|id| seen[g].insert(*id)));
    }
    Ok(out)
}

/// Index filters for the customers list: one subquery of customer ids per
/// query word, every one of which must match (exact or prefix; no typos in
/// a filter). Empty when the query has no words.
pub fn list_filters(org: OrgId, raw: &str) -> Vec<SelectStatement> {
    let query = Query::parse(raw);
    query
        .words
        .iter()
        .map(|w| {
            let mut selects = word_probes(w, &[]).into_iter().map(|p| {
                let (Probe::Prefix(prefix) | Probe::Exact(prefix)) = p;
                let (from, to) = prefix_range(&prefix);
                let mut q = SeaQuery::select();
                q.column(SearchTerms::CustomerId)
                    .from(SearchTerms::Table)
                    .and_where(Expr::col(SearchTerms::OrgId).eq(org.0))
                    .and_where(Expr::col(SearchTerms::Term).gte(from))
                    .and_where(Expr::col(SearchTerms::Term).lt(to));
                q
            });
            let mut first = selects.next().unwrap_or_else(SeaQuery::select);
            for other in selects {
                first.union(UnionType::All, other);
            }
            first
        })
        .collect()
}

/// The organisation's live customers best matching `raw`, best first.
pub async fn search(c: &mut Conn, org: OrgId, raw: &str, limit: usize) -> Result<Vec<SearchHit>> {
    let query = Query::parse(raw);
    if query.is_empty() {
        return Ok(vec![]);
    }
    let corrections = typo_corrections(c, org, &query).await?;

    // Candidates: the two-word pair first (precise even when both words
    // are common), then the ids every word's complete set agrees on.
    let mut groups: Vec<Vec<Probe>> = query
        .words
        .iter()
        .zip(&corrections)
        .map(|(word, fixes)| word_probes(word, fixes))
        .collect();
    if query.words.len() >= 2 && query.phone_digits.is_none() {
        // The words as typed come first, so the cap keeps them; the pairs
        // past it are never formatted.
        let pair = std::iter::once(&query.words[0])
            .chain(&corrections[0])
            .flat_map(|first| {
                let typed = Probe::Prefix(format!("{PAIR_MARK}{first} {}", query.words[1]));
                let fixed = corrections[1]
                    .iter()
                    .map(move |second| Probe::Exact(format!("{PAIR_MARK}{first} {second}")));
                std::iter::once(typed).chain(fixed)
            })
            .take(PAIR_CAP)
            .collect();
        groups.push(pair);
    }
    let mut sets = probe_groups(c, org, &groups).await?;
    let mut order: Vec<CustomerId> = Vec::new();
    let mut seen = HashSet::new();
    if sets.len() > query.words.len()
        && let Some((pair, _)) = sets.pop()
    {
        order.extend(pair.into_iter().filter(|id| seen.insert(*id)));
    }
    // Only a complete (uncapped) set may rule a candidate out; scoring
    // checks every word of every candidate anyway.
    let complete: Vec<HashSet<CustomerId>> = sets
        .iter()
        .filter(|(_, capped)| !capped)
        .map(|(ids, _)| ids.iter().copied().collect())
        .collect();
    if let Some((anchor, _)) = sets.iter().min_by_key(|(ids, capped)| (*capped, ids.len())) {
        for id in anchor {
            if complete.iter().all(|set| set.contains(id)) && seen.insert(*id) {
                order.push(*id);
            }
        }
    }
    order.truncate(CANDIDATE_CAP);
    if order.is_empty() {
        return Ok(vec![]);
    }

    // The document alone answers: it holds what a hit shows, and only live
    // customers have one. (Joining customers here let SQLite's planner walk
    // the organisation's whole name index instead of probing ids.)
    // The list is padded to one of a few lengths (repeating an id changes
    // nothing), so a handful of statement texts stay prepared.
    let padded = [8, 32, 128, CANDIDATE_CAP]
        .into_iter()
        .find(|n| *n >= order.len())
        .unwrap_or(order.len());
    let sql = format!(
        "SELECT customer_id, body FROM search_docs WHERE org_id = $1 AND customer_id IN ({})",
        placeholders(2, padded)
    );
    let mut values: Vec<Value> = vec![org.0.into()];
    values.extend(
        order
            .iter()
            .chain(std::iter::repeat(&order[0]))
            .take(padded)
            .map(|id| Value::from(id.0)),
    );
    let rows = c
        .query(&Dynamic(sql, values), |r| {
            Ok((r.get::<CustomerId>(0)?, r.get::<String>(1)?))
        })
        .await?;
    let mut hits: Vec<SearchHit> = rows
        .into_iter()
        .filter_map(|(id, body)| {
            let doc = rules::decode_document(&body);
            let hit = rules::score(&query, &doc)?;
            let text = |field: Field| {
                doc.iter()
                    .find(|s| s.field == field)
                    .map(|s| s.text.clone())
            };
            Some(SearchHit {
                customer_id: id,
                display_name: text(Field::Name)
                    .or_else(|| text(Field::BusinessName))
                    .unwrap_or_default(),
                phone: text(Field::Phone),
                email: text(Field::Email),
                matched: hit.matched,
                score: hit.score,
            })
        })
        .collect();
    hits.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.display_name.cmp(&b.display_name))
            .then_with(|| a.customer_id.cmp(&b.customer_id))
    });
    hits.truncate(limit);
    Ok(hits)
}

/// For each query word, the vocabulary words within one typo of it that a
/// prefix scan would not find anyway.
async fn typo_corrections(c: &mut Conn, org: OrgId, query: &Query) -> Result<Vec<Vec<String>>> {
    let mut out = vec![Vec::new(); query.words.len()];
    if query.phone_digits.is_some() {
        return Ok(out);
    }
    let variants: BTreeSet<String> = query
        .words
        .iter()
        .filter(|w| w.chars().count() >= rules::MIN_TYPO_LEN)
        .flat_map(|w| rules::typo_variants(w))
        .collect();
    if variants.is_empty() {
        return Ok(out);
    }
    let mut vocabulary = match c.engine() {
        Engine::Sqlite => {
            let mut q = SeaQuery::select();
            q.distinct()
                .column(SearchFuzzy::Word)
                .from(SearchFuzzy::Table)
                .and_where(Expr::col(SearchFuzzy::OrgId).eq(org.0))
                .and_where(Expr::col(SearchFuzzy::Variant).is_in(variants))
                .limit(TYPO_CAP);
            c.query(&q, |r| r.get::<String>(0)).await?
        }
        // One statement text whatever the number of variants, so it stays
        // prepared (planning it afresh costs more than running it).
        Engine::Postgres => {
            c.query(
                &Raw(
                    "SELECT DISTINCT word FROM search_fuzzy WHERE org_id = $1 \
                     AND variant = ANY(string_to_array($2, chr(31)) COLLATE \"C\") LIMIT $3",
                    vec![
                        org.0.into(),
                        variants
                            .into_iter()
                            .collect::<Vec<_>>()
                            .join(SEPARATOR)
                            .into(),
                        (TYPO_CAP as i64).into(),
                    ],
                ),
                |r| r.get::<String>(0),
            )
            .await?
        }
    };
    // In one order on both engines, so the cap keeps the same words.
    vocabulary.sort_unstable();
    for (word, fixes) in query.words.iter().zip(out.iter_mut()) {
        fixes.extend(
            vocabulary
                .iter()
                .filter(|v| !v.starts_with(word.as_str()) && rules::within_one_typo(word, v))
                .take(CORRECTIONS_CAP)
                .cloned(),
        );
    }
    Ok(out)
}
