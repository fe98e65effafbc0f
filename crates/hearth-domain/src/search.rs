//! Finding a customer from what a person types: pure rules for turning a
//! customer into index terms and for ranking candidates against a query.
//!
//! The store keeps, per customer, a *document* (the text sources below) and
//! the *terms* derived from it in a B-tree, so that exact and prefix matches
//! are index range scans on either engine. Typos are found through a
//! vocabulary of one-deletion variants (the SymSpell idea): two words within
//! one edit share a variant, so a typo is a handful of exact index probes,
//! never a scan. Every candidate is then scored here, in one place.

use crate::contact::digits;
use serde::Serialize;
use std::collections::BTreeSet;
use utoipa::ToSchema;

/// Which part of a customer a query matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    BusinessName,
    Phone,
    Email,
    Address,
    Equipment,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Name,
        Field::BusinessName,
        Field::Phone,
        Field::Email,
        Field::Address,
        Field::Equipment,
    ];

    /// One-letter code stored with each term.
    pub fn code(self) -> &'static str {
        match self {
            Field::Name => "n",
            Field::BusinessName => "b",
            Field::Phone => "p",
            Field::Email => "e",
            Field::Address => "a",
            Field::Equipment => "q",
        }
    }

    pub fn from_code(code: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.code() == code)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::BusinessName => "business_name",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::Address => "address",
            Field::Equipment => "equipment",
        }
    }

    /// Within one kind of match, which field ranks higher: a person's name
    /// above their business, both above contact details.
    fn weight(self) -> u32 {
        match self {
            Field::Name => 50,
            Field::BusinessName => 40,
            Field::Phone => 30,
            Field::Address => 20,
            Field::Email => 10,
            Field::Equipment => 10,
        }
    }

    /// Words people misspell when they type them from memory.
    fn typo_tolerant(self) -> bool {
        matches!(self, Field::Name | Field::BusinessName | Field::Address)
    }
}

/// One piece of text about a customer that search should find.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub field: Field,
    pub text: String,
}

impl Source {
    pub fn new(field: Field, text: impl Into<String>) -> Source {
        Source {
            field,
            text: text.into(),
        }
    }
}

/// Phone terms are digit suffixes, kept apart from words by this mark so
/// that "0188" typed as a phone never matches an email "ann0188@…".
pub const PHONE_MARK: char = '#';
/// Two-word terms ("grace hopper") carry this mark, so a one-word prefix
/// scan does not meet them twice.
pub const PAIR_MARK: char = '+';
/// Words shorter than this are matched exactly or by prefix only: a typo in
/// a three-letter word matches too much to be useful.
pub const MIN_TYPO_LEN: usize = 4;
/// Shortest phone fragment worth looking up.
pub const MIN_PHONE_DIGITS: usize = 3;

/// Lower case, common Latin diacritics removed and apostrophes dropped, so
/// "O'Brién" and "obrien" are the same word.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\'' | '\u{2019}' | '`' => {}
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => {
                let lower = c.to_lowercase().next().unwrap_or(c);
                out.push(match lower {
                    'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
                    'ç' | 'ć' | 'č' => 'c',
                    'ď' | 'đ' => 'd',
                    'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
                    'ğ' => 'g',
                    'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'i',
                    'ł' | 'ľ' => 'l',
                    'ñ' | 'ń' | 'ň' => 'n',
                    'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
                    'ř' => 'r',
                    'ś' | 'š' | 'ş' => 's',
                    'ť' | 'ţ' => 't',
                    'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
                    'ý' | 'ÿ' => 'y',
                    'ź' | 'ż' | 'ž' => 'z',
                    other => other,
                });
            }
        }
    }
    out
}

/// The words of a text: folded, split at anything not a letter or digit.
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// One index entry: `term` found in `field`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Term {
    pub term: String,
    pub field: Field,
}

/// Every index term of a customer's document, sorted and without repeats.
///
/// - words of every text field, each a term (prefix matches are range scans);
/// - adjacent word pairs of names ("grace hopper", and "hopper grace" for a
///   two-word person name), so a two-word query over common words is one
///   probe instead of an intersection of two large sets;
/// - every digit suffix of a phone number (≥ 3 digits), so any run of
///   digits typed from the middle or end of a number is a prefix of a term;
/// - an equipment serial also as one compact term ("sn44x9b2").
pub fn terms(sources: &[Source]) -> Vec<Term> {
    let mut out = BTreeSet::new();
    for s in sources {
        let field = s.field;
        if field == Field::Phone {
            let d = digits(&s.text);
            for start in 0..d.len().saturating_sub(MIN_PHONE_DIGITS - 1) {
                out.insert(Term {
                    term: format!("{PHONE_MARK}{}", &d[start..]),
                    field,
                });
            }
            continue;
        }
        let ws = words(&s.text);
        for w in &ws {
            out.insert(Term {
                term: w.clone(),
                field,
            });
        }
        if matches!(field, Field::Name | Field::BusinessName) {
            for pair in ws.windows(2) {
                out.insert(Term {
                    term: format!("{PAIR_MARK}{} {}", pair[0], pair[1]),
                    field,
                });
            }
            if field == Field::Name && ws.len() == 2 {
                out.insert(Term {
                    term: format!("{PAIR_MARK}{} {}", ws[1], ws[0]),
                    field,
                });
            }
        }
        if field == Field::Equipment && ws.len() > 1 {
            out.insert(Term {
                term: ws.concat(),
                field,
            });
        }
    }
    out.into_iter().collect()
}

/// Words of the typo-tolerant fields long enough to be matched with a typo:
/// they go into the organisation's vocabulary with [`typo_variants`].
pub fn vocabulary(sources: &[Source]) -> Vec<String> {
    let set: BTreeSet<String> = sources
        .iter()
        .filter(|s| s.field.typo_tolerant())
        .flat_map(|s| words(&s.text))
        .filter(|w| w.chars().count() >= MIN_TYPO_LEN)
        .collect();
    set.into_iter().collect()
}

/// The word itself and every form of it with one character deleted. Two
/// words within one edit (insertion, deletion, substitution or swap of
/// neighbours) always share one of these; see [`within_one_typo`] for the
/// check that removes the few pairs that share one yet differ by two.
pub fn typo_variants(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut out = BTreeSet::new();
    out.insert(word.to_string());
    if chars.len() >= MIN_TYPO_LEN {
        for skip in 0..chars.len() {
            let v: String = chars
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, c)| *c)
                .collect();
            out.insert(v);
        }
    }
    out.into_iter().collect()
}

/// Damerau–Levenshtein distance (optimal string alignment: insertions,
/// deletions, substitutions and swaps of two neighbours each cost one).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[n][m]
}

/// Whether `typed` is `word` with at most one typo. Only words of at least
/// [`MIN_TYPO_LEN`] characters tolerate one.
pub fn within_one_typo(typed: &str, word: &str) -> bool {
    if typed == word {
        return true;
    }
    let (lt, lw) = (typed.chars().count(), word.chars().count());
    lt >= MIN_TYPO_LEN && lw + 1 >= MIN_TYPO_LEN && lt.abs_diff(lw) <= 1 && {
        edit_distance(typed, word) <= 1
    }
}

/// What a person typed, read once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// The whole query folded, for exact whole-value matches (an email).
    pub folded: String,
    /// Words to match; a query that reads like a phone number is one word
    /// of its digits.
    pub words: Vec<String>,
    /// Set when the query reads like (part of) a phone number.
    pub phone_digits: Option<String>,
}

/// At most this many words of a query are used; more only slow it down.
pub const MAX_QUERY_WORDS: usize = 6;

impl Query {
    pub fn parse(raw: &str) -> Query {
        let raw = raw.trim();
        let folded = fold(raw);
        if let Some(d) = crate::contact::phone_digits(raw) {
            return Query {
                folded,
                words: vec![d.clone()],
                phone_digits: Some(d),
            };
        }
        let mut ws = words(raw);
        // A stray initial ("john a smith") matches half the book; it only
        // counts when it is all there is.
        if ws.iter().any(|w| w.chars().count() > 1) {
            ws.retain(|w| w.chars().count() > 1);
        }
        ws.truncate(MAX_QUERY_WORDS);
        Query {
            folded,
            words: ws,
            phone_digits: None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// How well one query word matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    Typo,
    Prefix,
    Exact,
}

impl MatchKind {
    /// Any exact match outranks any prefix match, which outranks any typo
    /// match, whatever the field: the gap is larger than the field weights.
    fn points(self) -> u32 {
        match self {
            MatchKind::Exact => 300,
            MatchKind::Prefix => 200,
            MatchKind::Typo => 100,
        }
    }
}

/// How one candidate ranks against a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub score: u32,
    /// The field of the best-matching word.
    pub matched: Field,
}

/// A source read once for scoring: its words, or a phone's digits.
struct Prepared {
    field: Field,
    words: Vec<String>,
    /// Equipment: the serial as one word ("sn44x9b2").
    compact: Option<String>,
    digits: Option<String>,
}

fn prepare(sources: &[Source]) -> Vec<Prepared> {
    sources
        .iter()
        .map(|s| {
            if s.field == Field::Phone {
                return Prepared {
                    field: s.field,
                    words: Vec::new(),
                    compact: None,
                    digits: Some(digits(&s.text)),
                };
            }
            let words = words(&s.text);
            let compact = (s.field == Field::Equipment && words.len() > 1).then(|| words.concat());
            Prepared {
                field: s.field,
                words,
                compact,
                digits: None,
            }
        })
        .collect()
}

/// The best match of one query word in a document.
fn best_match(word: &str, is_phone_query: bool, doc: &[Prepared]) -> Option<(MatchKind, Field)> {
    let mut best: Option<(MatchKind, Field)> = None;
    let mut consider = |kind: MatchKind, field: Field| {
        let better = match best {
            None => true,
            Some((k, f)) => (kind, field.weight()) > (k, f.weight()),
        };
        if better {
            best = Some((kind, field));
        }
    };
    let all_digits = word.chars().all(|c| c.is_ascii_digit());
    for s in doc {
        if let Some(d) = &s.digits {
            if all_digits && word.len() >= MIN_PHONE_DIGITS {
                // A whole national or international number is exact; any
                // other run of its digits is a partial (prefix-class) match.
                if d == word || (word.len() >= 7 && d.ends_with(word)) {
                    consider(MatchKind::Exact, s.field);
                } else if d.contains(word) {
                    consider(MatchKind::Prefix, s.field);
                }
            }
            continue;
        }
        if let Some(compact) = &s.compact {
            if compact == word {
                consider(MatchKind::Exact, s.field);
            } else if compact.starts_with(word) {
                consider(MatchKind::Prefix, s.field);
            }
        }
        // Digits typed as a phone number may still be a house number or
        // part of a serial, but never a typo of one.
        let typos = s.field.typo_tolerant() && !is_phone_query;
        for w in &s.words {
            if w == word {
                consider(MatchKind::Exact, s.field);
            } else if w.starts_with(word) {
                consider(MatchKind::Prefix, s.field);
            } else if typos && within_one_typo(word, w) {
                consider(MatchKind::Typo, s.field);
            }
        }
    }
    best
}

/// Scores a candidate's document against a query: every query word must
/// match somewhere (exact, prefix or, in names and addresses, with one
/// typo), else `None`. The score is the sum over words of the match kind's
/// points plus the field's weight, with a bonus when the whole query is a
/// whole value (the full name, the email address).
pub fn score(query: &Query, sources: &[Source]) -> Option<Hit> {
    if query.words.is_empty() {
        return None;
    }
    let doc = prepare(sources);
    let mut total = 0;
    let mut top: Option<(u32, Field)> = None;
    for word in &query.words {
        let (kind, field) = best_match(word, query.phone_digits.is_some(), &doc)?;
        let points = kind.points() + field.weight();
        total += points;
        if top.is_none_or(|(p, _)| points > p) {
            top = Some((points, field));
        }
    }
    let whole_value = sources.iter().any(|s| {
        s.field != Field::Phone && !query.folded.is_empty() && fold(s.text.trim()) == query.folded
    });
    if whole_value {
        total += 100;
    }
    top.map(|(_, matched)| Hit {
        score: total,
        matched,
    })
}

/// A customer's document as stored: one `code<TAB>text` line per source.
pub fn encode_document(sources: &[Source]) -> String {
    sources
        .iter()
        .map(|s| {
            let text: String = s
                .text
                .chars()
                .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
                .collect();
            format!("{}\t{}", s.field.code(), text)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn decode_document(body: &str) -> Vec<Source> {
    body.lines()
        .filter_map(|line| {
            let (code, text) = line.split_once('\t')?;
            Some(Source::new(Field::from_code(code)?, text))
        })
        .collect()
}

/// The half-open range `[from, to)` of terms that start with `prefix`, for
/// an index range scan (byte order, as SQLite's BINARY and PostgreSQL's
/// "C" collations compare).
pub fn prefix_range(prefix: &str) -> (String, String) {
    let mut upper: Vec<char> = prefix.chars().collect();
    while let Some(last) = upper.pop() {
        if let Some(next) = char::from_u32(last as u32 + 1) {
            upper.push(next);
            return (prefix.to_string(), upper.into_iter().collect());
        }
    }
    (prefix.to_string(), char::MAX.to_string())
}

/// Every stored form (E.164) an incoming caller's number may have: read in
/// the organisation's region, and its bare digits read as an international
/// number (trunks often drop the `+`) and as a national one. A number
/// stored with its country code thus matches a caller who sends none.
pub fn caller_keys(raw: &str, region: &str) -> Vec<String> {
    let d = digits(raw);
    let mut forms = vec![raw.to_string()];
    if d.len() >= 7 {
        forms.push(format!("+{d}"));
        forms.push(d);
    }
    let mut keys: Vec<String> = Vec::new();
    for form in forms {
        if let Some(key) = crate::contact::Phone::lookup_key(&form, region)
            && !keys.contains(&key)
        {
            keys.push(key);
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grace() -> Vec<Source> {
        vec![
            Source::new(Field::Name, "Grace Hopper"),
            Source::new(Field::Email, "grace@navy.example.com"),
            Source::new(Field::Phone, "+15125550188"),
        ]
    }

    #[test]
    fn distance_counts_swaps_as_one_edit() {
        assert_eq!(edit_distance("john", "john"), 0);
        assert_eq!(edit_distance("jonh", "john"), 1);
        assert_eq!(edit_distance("hoper", "hopper"), 1);
        assert_eq!(edit_distance("smyth", "smith"), 1);
        assert_eq!(edit_distance("smiht", "smith"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn one_typo_only_in_words_of_four_or_more() {
        assert!(within_one_typo("jonh", "john"));
        assert!(within_one_typo("hoper", "hopper"));
        assert!(within_one_typo("hopperr", "hopper"));
        assert!(
            !within_one_typo("jon", "jan"),
            "three letters need exactness"
        );
        assert!(!within_one_typo("hpoer", "hopper"), "two edits");
        assert!(!within_one_typo("smith", "smythe"));
    }

    #[test]
    fn words_within_one_typo_share_a_variant() {
        for (typed, word) in [
            ("jonh", "john"),
            ("hoper", "hopper"),
            ("hopperr", "hopper"),
            ("jahn", "john"),
            ("garcia", "gracia"),
        ] {
            let a = typo_variants(typed);
            let b = typo_variants(word);
            assert!(
                a.iter().any(|v| b.contains(v)),
                "{typed} and {word} share no variant"
            );
        }
        assert_eq!(typo_variants("abc"), ["abc"]);
        assert_eq!(typo_variants("abcd").len(), 5);
    }

    #[test]
    fn folding_removes_case_accents_and_apostrophes() {
        assert_eq!(fold("O'Brién"), "obrien");
        assert_eq!(words("Zoë Müller-Straße"), ["zoe", "muller", "strasse"]);
        assert_eq!(
            words("grace@navy.example.com"),
            ["grace", "navy", "example", "com"]
        );
    }

    #[test]
    fn terms_hold_words_pairs_and_phone_suffixes() {
        let t: Vec<String> = terms(&grace()).into_iter().map(|t| t.term).collect();
        for expected in [
            "grace",
            "hopper",
            "+grace hopper",
            "+hopper grace",
            "navy",
            "#15125550188",
            "#5125550188",
            "#188",
        ] {
            assert!(
                t.contains(&expected.to_string()),
                "missing {expected}: {t:?}"
            );
        }
        assert!(
            !t.contains(&"#88".to_string()),
            "phone fragments have 3+ digits"
        );
    }

    #[test]
    fn equipment_serials_are_also_one_compact_term() {
        let t = terms(&[Source::new(Field::Equipment, "SN-44X9-B2")]);
        assert!(t.iter().any(|t| t.term == "sn44x9b2"));
    }

    #[test]
    fn queries_that_look_like_phones_become_digits() {
        let q = Query::parse("(512) 555-01");
        assert_eq!(q.words, ["51255501"]);
        assert_eq!(q.phone_digits.as_deref(), Some("51255501"));
        let q = Query::parse("  Jonh  SMITH ");
        assert_eq!(q.words, ["jonh", "smith"]);
        assert!(q.phone_digits.is_none());
    }

    #[test]
    fn every_field_kind_is_found() {
        let doc = grace();
        for (q, field) in [
            ("hopper", Field::Name),
            ("gra", Field::Name),
            ("hoper", Field::Name),
            ("navy.example", Field::Email),
            ("555-01", Field::Phone),
            ("5125550", Field::Phone),
            ("+1 512-555-0188", Field::Phone),
        ] {
            let hit = score(&Query::parse(q), &doc).unwrap_or_else(|| panic!("{q} not found"));
            assert_eq!(hit.matched, field, "{q}");
        }
        assert!(score(&Query::parse("zebra"), &doc).is_none());
        assert!(
            score(&Query::parse("grace zebra"), &doc).is_none(),
            "every word must match"
        );
        assert!(
            score(&Query::parse("nvy"), &doc).is_none(),
            "no typos in emails"
        );
    }

    #[test]
    fn exact_beats_prefix_beats_typo_and_names_beat_emails() {
        let q = Query::parse("hopper");
        let exact = score(&q, &grace()).unwrap();
        let prefix = score(&q, &[Source::new(Field::Name, "Hoppers Lane")]).unwrap();
        let typo = score(&q, &[Source::new(Field::Name, "Hoper")]).unwrap();
        let email = score(&q, &[Source::new(Field::Email, "hopper@example.com")]).unwrap();
        assert!(exact.score > prefix.score);
        assert!(prefix.score > typo.score);
        assert!(exact.score > email.score);
        assert_eq!(email.matched, Field::Email);
        let business = score(&q, &[Source::new(Field::BusinessName, "Hopper Bros")]).unwrap();
        assert!(exact.score > business.score && business.score > email.score);
    }

    #[test]
    fn a_whole_value_outranks_word_matches() {
        let q = Query::parse("grace hopper");
        let whole = score(&q, &grace()).unwrap();
        let scattered = score(
            &q,
            &[
                Source::new(Field::Name, "Grace Smith"),
                Source::new(Field::BusinessName, "Hopper Grace Ltd"),
            ],
        )
        .unwrap();
        assert!(whole.score > scattered.score);
    }

    #[test]
    fn documents_round_trip() {
        let doc = vec![
            Source::new(Field::Name, "Ann\tLee"),
            Source::new(Field::Phone, "+15125550134"),
        ];
        let back = decode_document(&encode_document(&doc));
        assert_eq!(back[0].text, "Ann Lee");
        assert_eq!(back[1], doc[1]);
    }

    #[test]
    fn prefix_ranges_are_half_open() {
        assert_eq!(prefix_range("hop"), ("hop".into(), "hoq".into()));
        assert_eq!(prefix_range("#555"), ("#555".into(), "#556".into()));
    }

    #[test]
    fn caller_numbers_in_any_form_give_the_stored_key() {
        for raw in [
            "+1 512-555-0188",
            "5125550188",
            "(512) 555 0188",
            "15125550188",
            "+15125550188",
        ] {
            assert!(
                caller_keys(raw, "US").contains(&"+15125550188".to_string()),
                "{raw}: {:?}",
                caller_keys(raw, "US")
            );
        }
        assert!(caller_keys("15125550188", "GB").contains(&"+15125550188".to_string()));
        assert!(caller_keys("hello", "US").is_empty());
    }
}
