//! Keeping the search index in step with the customers: documents, terms
//! and vocabulary, written in the transaction of the change.

use super::{BATCH, Dynamic, SearchDocs, SearchFuzzy, SearchTerms, placeholders};
use crate::{Bulk, Conn, Raw, Result, Store, work};
use hearth_domain::search::{self as rules, Field, Source};
use hearth_domain::{CustomerId, OrgId};
use sea_query::{Expr, ExprTrait, OnConflict, Query as SeaQuery, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The text sources of each customer's document, one row per source:
/// `(customer_id, field code, text)`. Deleted customers have none, so
/// reindexing them removes them from search.
///
/// Extend this query, not the code around it, to make more of a customer
/// findable (field codes: hearth_domain::search::Field::code). Whoever
/// changes the rows it reads calls [`reindex_customer`] in the same
/// transaction: customers, and the history hooks of addresses and equipment.
/// A customer merged into another lends it its phone and email (the last
/// two branches), so looking up the old number finds the kept record.
/// The address and equipment branches probe `addresses_customer` by
/// (org_id, customer_id), so they keep the organisation in the index key.
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
 WHERE (org_id = $1) IS TRUE AND id IN ({ids}) AND deleted_at IS NULL AND phone IS NOT NULL \
UNION ALL SELECT a.customer_id, 'a', \
 a.line1 || COALESCE(' ' || a.line2, '') || COALESCE(' ' || a.city, '') || COALESCE(' ' || a.postal_code, '') \
 FROM addresses a WHERE a.org_id = $1 AND a.customer_id IN ({ids}) AND a.deleted_at IS NULL \
 AND EXISTS (SELECT 1 FROM customers cu WHERE cu.id = a.customer_id AND cu.deleted_at IS NULL) \
UNION ALL SELECT a.customer_id, 'q', e.serial_number \
 FROM addresses a JOIN equipment e ON e.org_id = a.org_id AND e.address_id = a.id \
 WHERE a.org_id = $1 AND a.customer_id IN ({ids}) AND a.deleted_at IS NULL \
 AND e.deleted_at IS NULL AND e.serial_number IS NOT NULL \
 AND EXISTS (SELECT 1 FROM customers cu WHERE cu.id = a.customer_id AND cu.deleted_at IS NULL) \
UNION ALL SELECT m.merged_into, 'p', m.phone FROM customers m \
 WHERE m.org_id = $1 AND m.merged_into IN ({ids}) AND m.phone IS NOT NULL \
 AND EXISTS (SELECT 1 FROM customers cu WHERE cu.id = m.merged_into AND cu.deleted_at IS NULL) \
UNION ALL SELECT m.merged_into, 'e', m.email FROM customers m \
 WHERE m.org_id = $1 AND m.merged_into IN ({ids}) AND m.email IS NOT NULL \
 AND EXISTS (SELECT 1 FROM customers cu WHERE cu.id = m.merged_into AND cu.deleted_at IS NULL)";

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
/// anything [`SOURCES`] reads (customers, addresses, equipment).
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
        c.execute(&Bulk(&insert)).await?;
    }

    // The vocabulary only grows: a word no customer uses any more costs one
    // wasted probe when it is the correction of a typo, never a wrong result.
    // Most words (names, streets, cities) are known already; rewriting their
    // variants was most of a bulk load's index writes.
    let known = known_words(c, org, &vocabulary).await?;
    let variants: BTreeSet<(String, String)> = vocabulary
        .difference(&known)
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
        c.execute(&Bulk(&insert)).await?;
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
        c.execute(&Bulk(&insert)).await?;
    }
    Ok(())
}

/// The words of `vocabulary` the organisation's vocabulary has: a word is
/// its own variant, written with all its others in one transaction.
async fn known_words(
    c: &mut Conn,
    org: OrgId,
    vocabulary: &BTreeSet<String>,
) -> Result<BTreeSet<String>> {
    let words: Vec<&String> = vocabulary.iter().collect();
    let mut known = BTreeSet::new();
    for part in words.chunks(500) {
        let sql = format!(
            "SELECT word FROM search_fuzzy WHERE org_id = $1 AND variant IN ({}) AND word = variant",
            placeholders(2, part.len())
        );
        let mut values: Vec<Value> = vec![org.0.into()];
        values.extend(part.iter().map(|w| Value::from(w.as_str())));
        known.extend(
            c.query(&Dynamic(sql, values), |r| r.get::<String>(0))
                .await?,
        );
    }
    Ok(known)
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
