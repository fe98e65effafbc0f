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

mod index;
mod query;

pub use index::{backfill_pending, reindex_customer, reindex_customers};
pub use query::{SearchHit, list_filters, search};

use crate::{Engine, Sql};
use sea_query::Value;

/// Index entries read per query word (and for the name pair) at most.
pub const WORD_CAP: u64 = 500;
/// Documents scored per query at most.
pub const CANDIDATE_CAP: usize = 150;
/// Vocabulary words considered as typo corrections per query at most.
pub(crate) const TYPO_CAP: u64 = 200;
/// Typo corrections kept per query word at most (Elasticsearch's fuzzy
/// queries also stop at 50 expansions): each is one more index probe.
pub(crate) const CORRECTIONS_CAP: usize = 50;
/// Name-pair probes per query at most: without a cap every correction of
/// the first word pairs with every correction of the second.
pub(crate) const PAIR_CAP: usize = 100;
/// On SQLite the probes' `UNION ALL` has a multiple of this many branches
/// (the rest probe nothing), so its text is one of a few that stay
/// prepared: a text per number of probes filled each connection's
/// statement cache with large programs (~50 MB more resident memory after
/// 30 s of searches) and prepared each anew.
pub(crate) const PROBE_SLOTS: usize = 16;
// Every probe is one branch, and SQLite refuses a compound SELECT of more
// than 500 (SQLITE_MAX_COMPOUND_SELECT): a query's words with their
// prefix, phone and correction probes, and its pairs, rounded up.
const _: () = assert!(
    (hearth_domain::search::MAX_QUERY_WORDS * (2 + CORRECTIONS_CAP) + PAIR_CAP)
        .div_ceil(PROBE_SLOTS)
        * PROBE_SLOTS
        <= 500
);
/// Separates list items packed into one text parameter (ASCII unit
/// separator: never part of a term, which holds letters, digits, spaces
/// and the marks `#` and `+`).
pub(crate) const SEPARATOR: &str = "\u{1f}";
/// Customers indexed per batch of statements.
pub(crate) const BATCH: usize = 250;

#[derive(sea_query::Iden)]
pub(crate) enum SearchTerms {
    Table,
    OrgId,
    Term,
    CustomerId,
    Field,
}

#[derive(sea_query::Iden)]
pub(crate) enum SearchFuzzy {
    Table,
    OrgId,
    Variant,
    Word,
}

#[derive(sea_query::Iden)]
pub(crate) enum SearchDocs {
    Table,
    CustomerId,
    OrgId,
    Body,
}

/// A statement whose text is assembled at run time (an `IN` list).
pub(crate) struct Dynamic(pub String, pub Vec<Value>);

impl Sql for Dynamic {
    fn build(&self, _: Engine) -> (String, Vec<Value>) {
        (self.0.clone(), self.1.clone())
    }
}

/// `$from, $from+1, …` for `n` values.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
