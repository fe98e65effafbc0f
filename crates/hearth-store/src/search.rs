//! Global search over an organisation's customers, the same on both engines.
//!
//! Three tables (migration 0004):
//! - `search_docs`: per live customer, the text sources search looks at
//!   (the *document*), built only by [`reindex_customer`];
//! - `search_terms`: `(org_id, term, customer_id, field)`, the terms of every
//!   document in one B-tree, so an exact or prefix match is one index range
//!   scan (`term >= 'hop' AND term < 'hoq'`) whatever the table's size;
//! - `search_fuzzy`: the organisation's vocabulary as one-deletion variants,
//!   so a word with one typo is found by exact probes, never by a scan.
//!
//! A query reads at most [`WORD_CAP`] index entries per word and scores at
//! most [`CANDIDATE_CAP`] documents (hearth_domain::search::score), so its
//! cost is bounded however common its words are. Plain B-trees rather than
//! FTS5 or pg_trgm: one set of statements for both engines, identical
//! results on both, and typo tolerance that is exact for one edit (trigram
//! similarity misses "jonh" → "john": they share no trigram).

use crate::{Conn, Engine, Raw, Result, Sql, Store, work};
use hearth_domain::search::{
    self as rules, Field, PAIR_MARK, PHONE_MARK, Query, Source, prefix_range,
};
use hearth_domain::{CustomerId, OrgId};
use sea_query::{
    Expr, ExprTrait, OnConflict, Query as SeaQuery, SelectStatement, UnionType, Value,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Index entries read per query word (and for the name pair) at most.
pub const WORD_CAP: u64 = 500;
/// Documents scored per query at most.
pub const CANDIDATE_CAP: usize = 150;
/// Vocabulary words considered as typo corrections per query at most.
const TYPO_CAP: u64 = 200;
/// Separates list items packed into one text parameter (ASCII unit
/// separator: never part of a term, which holds letters, digits, spaces
/// and the marks `#` and `+`).
const SEPARATOR: &str = "\u{1f}";
/// Customers indexed per batch of statements.
const BATCH: usize = 250;

#[derive(sea_query::Iden)]
enum SearchTerms {
    Table,
    OrgId,
    Term,
    CustomerId,
    Field,
}

#[derive(sea_query::Iden)]
enum SearchFuzzy {
    Table,
    OrgId,
    Variant,
    Word,
}

#[derive(sea_query::Iden)]
enum SearchDocs {
    Table,
    CustomerId,
    OrgId,
    Body,
}

/// A statement whose text is assembled at run time (an `IN` list).
struct Dynamic(String, Vec<Value>);

impl Sql for Dynamic {
    fn build(&self, _: Engine) -> (String, Vec<Value>) {
        (self.0.clone(), self.1.clone())
    }
}

/// `$from, $from+1, …` for `n` values.
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The text sources of each customer's document, one row per source:
/// `(customer_id, field code, text)`. Deleted customers have none, so
/// reindexing them removes them from search.
///
/// Extend this query, not the code around it, to make more of a customer
/// findable: address lines join here as
/// `UNION ALL SELECT customer_id, 'a', line1 || ' ' || city … FROM addresses
/// WHERE org_id = $1 AND customer_id IN ({ids}) AND deleted_at IS NULL`, and
/// equipment serial numbers as `… 'q', serial FROM equipment …` (field codes:
/// hearth_domain::search::Field::code). Whoever changes those rows calls
/// [`reindex_customer`] in the same transaction.
///
/// `(org_id = $1) IS TRUE` scopes each branch without offering SQLite the
/// organisation's indexes: with a long `IN` list and no statistics its
/// planner otherwise walks every customer of the organisation instead of
/// probing the primary key, which made bulk indexing quadratic.
const SOURCES: &str = "\
SELECT id, 'n', COALESCE(first_name, '') || ' ' || COALESCE(last_name, '') FROM customers \
 WHERE (org_id = $1) IS TRUE AND id IN ({ids}) AND deleted_at IS NULL \
UNION ALL SELECT id, 'b', business_name FROM customers \
 WHERE (org_id = $1) IS TRUE AND id IN ({ids}) AND deleted_at IS NULL AND business_name IS NOT NULL \
UNION ALL SELECT id, 'e', email FROM customers \
 WHERE (org_id = $1) IS TRUE AND id IN ({ids}) AND deleted_at IS NULL AND email IS NOT NULL \
UNION ALL SELECT id, 'p', phone FROM customers \
 WHERE (org_id = $1) IS TRUE AND id IN ({ids}) AND deleted_at IS NULL AND phone IS NOT NULL";

async fn load_sources(
    c: &mut Conn,
    org: OrgId,
    ids: &[CustomerId],
) -> Result<BTreeMap<CustomerId, Vec<Source>>> {
    let sql = SOURCES.replace("{ids}", &placeholders(2, ids.len()));
    let mut values: Vec<Value> = vec![org.0.into()];
    values.extend(ids.iter().map(|id| Value::from(id.0)));
    let rows = c
        .query(&Dynamic(sql, values), |r| {
            Ok((
                r.get::<CustomerId>(0)?,
                r.get::<String>(1)?,
                r.get::<String>(2)?,
            ))
        })
        .await?;
    let mut docs: BTreeMap<CustomerId, Vec<Source>> = BTreeMap::new();
    for (id, code, text) in rows {
        let text = text.trim();
        if let (Some(field), false) = (Field::from_code(&code), text.is_empty()) {
            docs.entry(id)
                .or_default()
                .push(Source::new(field, text.to_string()));
        }
    }
    for sources in docs.values_mut() {
        sources.sort_by(|a, b| (a.field, &a.text).cmp(&(b.field, &b.text)));
    }
    Ok(docs)
}

/// Rebuilds one customer's search document and index terms from the
/// customer's current data. Call it in the transaction of every change to
/// anything [`SOURCES`] reads (customers::create/update/delete/restore now;
/// addresses and equipment later).
pub async fn reindex_customer(c: &mut Conn, org: OrgId, customer_id: CustomerId) -> Result<()> {
    reindex_customers(c, org, &[customer_id]).await
}

/// [`reindex_customer`] for many customers of one organisation, with
/// multi-row statements (bulk loads, backfills).
pub async fn reindex_customers(c: &mut Conn, org: OrgId, ids: &[CustomerId]) -> Result<()> {
    for chunk in ids.chunks(BATCH) {
        reindex_batch(c, org, chunk).await?;
    }
    Ok(())
}

async fn reindex_batch(c: &mut Conn, org: OrgId, ids: &[CustomerId]) -> Result<()> {
    let sources = load_sources(c, org, ids).await?;
    let sql = format!(
        "SELECT customer_id, body FROM search_docs WHERE org_id = $1 AND customer_id IN ({})",
        placeholders(2, ids.len())
    );
    let mut values: Vec<Value> = vec![org.0.into()];
    values.extend(ids.iter().map(|id| Value::from(id.0)));
    let old: BTreeMap<CustomerId, String> = c
        .query(&Dynamic(sql, values), |r| Ok((r.get(0)?, r.get(1)?)))
        .await?
        .into_iter()
        .collect();

    let mut new_terms = Vec::new();
    let mut vocabulary = BTreeSet::new();
    let mut upserts = Vec::new();
    for id in ids {
        let body = sources.get(id).map(|s| rules::encode_document(s));
        if body.as_ref() == old.get(id) {
            continue;
        }
        if let Some(old_body) = old.get(id) {
            let stale: Vec<String> = rules::terms(&rules::decode_document(old_body))
                .into_iter()
                .map(|t| t.term)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            for part in stale.chunks(500) {
                let mut delete = SeaQuery::delete();
                delete
                    .from_table(SearchTerms::Table)
                    .and_where(Expr::col(SearchTerms::OrgId).eq(org.0))
                    .and_where(Expr::col(SearchTerms::CustomerId).eq(id.0))
                    .and_where(Expr::col(SearchTerms::Term).is_in(part.iter().cloned()));
                c.execute(&delete).await?;
            }
        }
        match (body, sources.get(id)) {
            (Some(body), Some(doc)) => {
                new_terms.extend(rules::terms(doc).into_iter().map(|t| (*id, t)));
                vocabulary.extend(rules::vocabulary(doc));
                upserts.push((*id, body));
            }
            _ => {
                c.execute(&Raw(
                    "DELETE FROM search_docs WHERE customer_id = $1 AND org_id = $2",
                    vec![id.0.into(), org.0.into()],
                ))
                .await?;
            }
        }
    }

    // In key order: a bulk load then appends to few B-tree pages at a time.
    new_terms.sort_by(|(a, x), (b, y)| (&x.term, a).cmp(&(&y.term, b)));
    for part in new_terms.chunks(500) {
        let mut insert = SeaQuery::insert();
        insert.into_table(SearchTerms::Table).columns([
            SearchTerms::OrgId,
            SearchTerms::Term,
            SearchTerms::CustomerId,
            SearchTerms::Field,
        ]);
        for (id, t) in part {
            insert.values_panic([
                org.0.into(),
                t.term.clone().into(),
                id.0.into(),
                t.field.code().into(),
            ]);
        }
        // The delete above removed this customer's old terms; a term listed
        // twice cannot happen (terms() returns each once).
        c.execute(&insert).await?;
    }

    // The vocabulary only grows: a word no customer uses any more costs one
    // wasted probe when it is the correction of a typo, never a wrong result.
    let variants: BTreeSet<(String, String)> = vocabulary
        .iter()
        .flat_map(|w| {
            rules::typo_variants(w)
                .into_iter()
                .map(move |v| (v, w.clone()))
        })
        .collect();
    let variants: Vec<_> = variants.into_iter().collect();
    for part in variants.chunks(500) {
        let mut insert = SeaQuery::insert();
        insert
            .into_table(SearchFuzzy::Table)
            .columns([SearchFuzzy::OrgId, SearchFuzzy::Variant, SearchFuzzy::Word])
            .on_conflict(
                OnConflict::columns([SearchFuzzy::OrgId, SearchFuzzy::Variant, SearchFuzzy::Word])
                    .do_nothing()
                    .to_owned(),
            );
        for (variant, word) in part {
            insert.values_panic([org.0.into(), variant.clone().into(), word.clone().into()]);
        }
        c.execute(&insert).await?;
    }

    for part in upserts.chunks(500) {
        let mut insert = SeaQuery::insert();
        insert
            .into_table(SearchDocs::Table)
            .columns([SearchDocs::CustomerId, SearchDocs::OrgId, SearchDocs::Body])
            .on_conflict(
                OnConflict::column(SearchDocs::CustomerId)
                    .update_columns([SearchDocs::Body])
                    .to_owned(),
            );
        for (id, body) in part {
            insert.values_panic([id.0.into(), org.0.into(), body.clone().into()]);
        }
        c.execute(&insert).await?;
    }
    Ok(())
}

/// Indexes the customers that existed before search did (migration 0004
/// leaves a marker), a batch per transaction; returns how many. A no-op
/// costing one probe once done.
pub async fn backfill_pending(store: &Store) -> Result<usize> {
    let pending = store
        .read(work!(|c| c.query_opt(
            &Raw(
                "SELECT name FROM search_pending WHERE name = 'backfill'",
                vec![]
            ),
            |r| r.get::<String>(0),
        )))
        .await?;
    if pending.is_none() {
        return Ok(0);
    }
    let mut total = 0;
    let mut after = CustomerId(uuid::Uuid::nil());
    loop {
        let batch = store
            .write(work!(|c| backfill_batch(c, after, 2000)))
            .await?;
        let Some(last) = batch.last() else { break };
        after = *last;
        total += batch.len();
        tracing::info!(indexed = total, "indexing existing customers for search");
    }
    store
        .write(work!(|c| c.execute(&Raw(
            "DELETE FROM search_pending WHERE name = 'backfill'",
            vec![]
        ))))
        .await?;
    Ok(total)
}

/// Indexes up to `limit` live customers after `after` (in id order) that
/// have no search document; returns their ids.
async fn backfill_batch(c: &mut Conn, after: CustomerId, limit: i64) -> Result<Vec<CustomerId>> {
    let missing = c
        .query(
            &Raw(
                "SELECT c.org_id, c.id FROM customers c \
                 WHERE c.id > $1 AND c.deleted_at IS NULL \
                 AND NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.customer_id = c.id) \
                 ORDER BY c.id LIMIT $2",
                vec![after.0.into(), limit.into()],
            ),
            |r| Ok((r.get::<OrgId>(0)?, r.get::<CustomerId>(1)?)),
        )
        .await?;
    let mut by_org: BTreeMap<OrgId, Vec<CustomerId>> = BTreeMap::new();
    for (org, id) in &missing {
        by_org.entry(*org).or_default().push(*id);
    }
    for (org, ids) in by_org {
        reindex_customers(c, org, &ids).await?;
    }
    Ok(missing.into_iter().map(|(_, id)| id).collect())
}

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
    let mut sql = String::new();
    let mut values: Vec<Value> = vec![org.0.into(), (WORD_CAP as i64).into()];
    let mut owner = Vec::new();
    for (g, probes) in groups.iter().enumerate() {
        for p in probes {
            let k = owner.len();
            owner.push(g);
            if k > 0 {
                sql.push_str(" UNION ALL ");
            }
            let n = values.len() + 1;
            let condition = match p {
                Probe::Prefix(prefix) => {
                    let (from, to) = prefix_range(prefix);
                    values.push(from.into());
                    values.push(to.into());
                    format!("term >= ${n} AND term < ${}", n + 1)
                }
                Probe::Exact(term) => {
                    values.push(term.clone().into());
                    format!("term = ${n}")
                }
            };
            sql.push_str(&format!(
                "SELECT CAST({k} AS BIGINT), customer_id FROM (SELECT customer_id, term FROM search_terms \
                 WHERE org_id = $1 AND {condition} ORDER BY term, customer_id LIMIT $2) p{k}"
            ));
        }
    }
    let mut out: Vec<(Vec<CustomerId>, bool)> = vec![(Vec::new(), false); groups.len()];
    if owner.is_empty() {
        return Ok(out);
    }
    let map = |r: &crate::Row| Ok((r.get::<i64>(0)? as usize, r.get::<CustomerId>(1)?));
    let rows = match c.engine() {
        Engine::Sqlite => c.query(&Dynamic(sql, values), map).await?,
        // PostgreSQL plans a new statement text in milliseconds, longer
        // than the probes take; one fixed text takes the ranges as lists.
        Engine::Postgres => {
            let ranges: Vec<(String, String)> = groups
                .iter()
                .flatten()
                .map(|p| match p {
                    Probe::Prefix(prefix) => prefix_range(prefix),
                    Probe::Exact(term) => (term.clone(), format!("{term}\u{1}")),
                })
                .collect();
            let join = |f: fn(&(String, String)) -> &String| {
                ranges
                    .iter()
                    .map(f)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(SEPARATOR)
            };
            let ks = (0..ranges.len())
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(SEPARATOR);
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
                        join(|r| &r.0).into(),
                        join(|r| &r.1).into(),
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
    for (k, ids) in per_probe.into_iter().enumerate() {
        let g = owner[k];
        out[g].1 |= ids.len() as u64 >= WORD_CAP;
        let (list, _) = &mut out[g];
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
        let mut pair = Vec::new();
        for first in std::iter::once(&query.words[0]).chain(&corrections[0]) {
            pair.push(Probe::Prefix(format!(
                "{PAIR_MARK}{first} {}",
                query.words[1]
            )));
            for second in &corrections[1] {
                pair.push(Probe::Exact(format!("{PAIR_MARK}{first} {second}")));
            }
        }
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
    let vocabulary = match c.engine() {
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
    for (word, fixes) in query.words.iter().zip(out.iter_mut()) {
        fixes.extend(
            vocabulary
                .iter()
                .filter(|v| !v.starts_with(word.as_str()) && rules::within_one_typo(word, v))
                .cloned(),
        );
    }
    Ok(out)
}
