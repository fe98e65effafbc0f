//! Duplicate customers and leads: how alike two records are, and why.
//!
//! The store finds a few candidates by index probes (same phone, same
//! email, same [`name_key`], same [`address_key`]); these rules decide
//! which of them are duplicates and rank them, so the reasons shown to a
//! person are the ones that produced the score.

use crate::search::{edit_distance, words};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// What duplicate detection compares of one customer or lead.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    /// The record's id: a customer's or a lead's (nil for one not yet made).
    pub id: Uuid,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub business_name: Option<String>,
    /// Lower-cased (as stored).
    pub email: Option<String>,
    /// E.164 (as stored).
    pub phone: Option<String>,
    /// Service addresses as `line1 postal_code`.
    pub addresses: Vec<String>,
}

/// One reason two customers look like the same one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The same phone number (E.164, so every written form agrees).
    SamePhone { phone: String },
    /// The same email address (case-insensitive).
    SameEmail { email: String },
    /// Names within a few typos of each other; `similarity` in percent.
    SimilarName { similarity: u32 },
    /// The same service address (street line and postal code).
    SameAddress { address: String },
    /// One last name, first names that are not one another's typo or
    /// short form: two people of one household, who share a phone and an
    /// address without being one customer. Keeps the pair off the list
    /// of duplicates; a person creating one still sees the other.
    Household,
}

impl Reason {
    /// The reason in a person's words, for pages.
    pub fn describe(&self) -> String {
        match self {
            Reason::SamePhone { phone } => format!("same phone {phone}"),
            Reason::SameEmail { email } => format!("same email {email}"),
            Reason::SimilarName { similarity } => format!("similar name ({similarity} %)"),
            Reason::SameAddress { address } => format!("same address {address}"),
            Reason::Household => "same last name, another first name: the same household?".into(),
        }
    }

    fn points(&self) -> u32 {
        match self {
            Reason::SamePhone { .. } => 50,
            Reason::SameEmail { .. } => 50,
            // 85 % similar → 17 points, identical → 35: a name alone is
            // never enough. Names repeat (a million customers hold
            // thousands of "John Smith"s); two records with one name and
            // nothing else in common are strangers as often as not.
            Reason::SimilarName { similarity } => similarity.saturating_sub(70) * 7 / 6,
            Reason::SameAddress { .. } => 30,
            Reason::Household => 0,
        }
    }
}

/// A customer that may be a duplicate of another, with the evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Likeness {
    /// 0–100; [`THRESHOLD`] and above is shown as a duplicate.
    pub score: u32,
    pub reasons: Vec<Reason>,
}

/// Scores at or above this are duplicates. A same phone or email alone
/// qualifies; a similar (or the same) name needs a second piece of
/// evidence, a shared service address. So every duplicate shares a phone,
/// an email or an address with its pair: [`blocking_keys`] rests on that.
pub const THRESHOLD: u32 = 40;
/// Names less similar than this (percent) are not evidence at all.
pub const NAME_FLOOR: u32 = 85;

/// The folded words of a person's or business's name, sorted so that
/// "Hopper Grace" and "Grace Hopper" compare equal. Stored with each
/// customer (`customers.name_key`): records scoring [`LOOK_ALIKE`] on the
/// name alone have the same key, so one index probe finds them (a change
/// to these rules or to `search::words` needs a migration that re-keys).
pub fn name_key(first: Option<&str>, last: Option<&str>, business: Option<&str>) -> Option<String> {
    let mut w: Vec<String> = [first, last]
        .into_iter()
        .flatten()
        .flat_map(words)
        .collect();
    if w.is_empty() {
        w = business.map(words).unwrap_or_default();
    }
    if w.is_empty() {
        return None;
    }
    w.sort();
    Some(w.join(" "))
}

impl Profile {
    /// Its [`name_key`].
    pub fn name_key(&self) -> Option<String> {
        name_key(
            self.first_name.as_deref(),
            self.last_name.as_deref(),
            self.business_name.as_deref(),
        )
    }
}

/// How alike two names are, in percent: 100 minus the edit distance
/// relative to the longer name (typos, swapped letters, a dropped letter).
pub fn name_similarity(a: &str, b: &str) -> u32 {
    let longest = a.chars().count().max(b.chars().count());
    if longest == 0 {
        return 0;
    }
    let distance = edit_distance(a, b).min(longest);
    (100 * (longest - distance) / longest) as u32
}

/// A service address as duplicate detection compares it: its street line
/// and postal code (the city and region add nothing a postal code does
/// not say, and are often left out).
pub fn address_text(line1: &str, postal_code: Option<&str>) -> String {
    match postal_code {
        Some(code) => format!("{line1} {code}"),
        None => line1.to_string(),
    }
}

/// An address's words with the usual abbreviations written one way, so
/// "12 Oak Street" and "12 oak st." agree. Stored with each service
/// address (`addresses.address_key`, of its [`address_text`]; `None` when
/// it has no words) so that one index probe finds the records sharing it:
/// a change to these rules or to `search::words` needs a migration that
/// re-keys them.
pub fn address_key(a: &str) -> Option<String> {
    let key = words(a)
        .into_iter()
        .map(
            |w| match ABBREVIATIONS.binary_search_by(|(long, _)| long.cmp(&w.as_str())) {
                Ok(i) => ABBREVIATIONS[i].1.to_string(),
                Err(_) => w,
            },
        )
        .collect::<Vec<_>>()
        .join(" ");
    (!key.is_empty()).then_some(key)
}

/// The key stored with a service address (`addresses.address_key`): the
/// [`address_key`] of its [`address_text`].
pub fn stored_address_key(line1: &str, postal_code: Option<&str>) -> Option<String> {
    address_key(&address_text(line1, postal_code))
}

/// Street types and directions, spelled out → as abbreviated (USPS), in
/// order of the long form.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("apartment", "apt"),
    ("avenue", "ave"),
    ("boulevard", "blvd"),
    ("circle", "cir"),
    ("court", "ct"),
    ("drive", "dr"),
    ("east", "e"),
    ("highway", "hwy"),
    ("lane", "ln"),
    ("north", "n"),
    ("northeast", "ne"),
    ("northwest", "nw"),
    ("parkway", "pkwy"),
    ("place", "pl"),
    ("road", "rd"),
    ("route", "rte"),
    ("south", "s"),
    ("southeast", "se"),
    ("southwest", "sw"),
    ("square", "sq"),
    ("street", "st"),
    ("suite", "ste"),
    ("terrace", "ter"),
    ("trail", "trl"),
    ("west", "w"),
];

/// Keys two duplicates always share one of (see [`THRESHOLD`]): the phone,
/// the email and each service address, each tagged with what it is. A
/// whole-organisation pass compares only records that share a key.
pub fn blocking_keys(p: &Profile) -> Vec<String> {
    let mut keys = Vec::with_capacity(2 + p.addresses.len());
    keys.extend(p.phone.as_ref().map(|phone| format!("p {phone}")));
    keys.extend(
        p.email
            .as_ref()
            .map(|email| format!("e {}", email.to_lowercase())),
    );
    keys.extend(
        p.addresses
            .iter()
            .filter_map(|a| address_key(a))
            .map(|k| format!("a {k}")),
    );
    keys
}

/// Look-alikes shown to a person creating or viewing one record start
/// here: a namesake alone is worth a look when someone is there to judge
/// it, not a place on the organisation's list of duplicates.
pub const LOOK_ALIKE: u32 = 35;

/// Whether `other` is a duplicate of `this`, and why; `None` below
/// [`THRESHOLD`] or when they are the same record.
pub fn compare(this: &Profile, other: &Profile) -> Option<Likeness> {
    likeness(this, other).filter(|l| l.score >= THRESHOLD)
}

/// How alike two records are, and why; `None` when they are the same one.
fn likeness(this: &Profile, other: &Profile) -> Option<Likeness> {
    if this.id == other.id {
        return None;
    }
    let mut reasons = Vec::new();
    if let (Some(a), Some(b)) = (&this.phone, &other.phone)
        && a == b
    {
        reasons.push(Reason::SamePhone { phone: a.clone() });
    }
    if let (Some(a), Some(b)) = (&this.email, &other.email)
        && a.eq_ignore_ascii_case(b)
    {
        reasons.push(Reason::SameEmail { email: a.clone() });
    }
    if let (Some(a), Some(b)) = (this.name_key(), other.name_key()) {
        let similarity = name_similarity(&a, &b);
        if similarity >= NAME_FLOOR {
            reasons.push(Reason::SimilarName { similarity });
        }
    }
    if let Some(address) = this.addresses.iter().find(|a| {
        address_key(a).is_some_and(|key| {
            other
                .addresses
                .iter()
                .any(|b| address_key(b).as_ref() == Some(&key))
        })
    }) {
        reasons.push(Reason::SameAddress {
            address: address.clone(),
        });
    }
    let mut score = reasons.iter().map(Reason::points).sum::<u32>().min(100);
    if household(this, other) {
        reasons.push(Reason::Household);
        score = score.min(THRESHOLD - 1);
    }
    Some(Likeness { score, reasons })
}

/// Whether two records name two people of one family: both give a first
/// and a last name, the last names agree and the first names are more than
/// one typo apart and neither starts the other ("G", "Jon" → "Jonathan").
fn household(this: &Profile, other: &Profile) -> bool {
    let names = |p: &Profile| {
        let first = words(p.first_name.as_deref()?).join(" ");
        let last = words(p.last_name.as_deref()?).join(" ");
        (!first.is_empty() && !last.is_empty()).then_some((first, last))
    };
    let (Some((first_a, last_a)), Some((first_b, last_b))) = (names(this), names(other)) else {
        return false;
    };
    last_a == last_b
        && !first_a.starts_with(&first_b)
        && !first_b.starts_with(&first_a)
        && edit_distance(&first_a, &first_b) > 1
}

/// `others` that look like `this` ([`LOOK_ALIKE`] and above), best first
/// (ties by id, so the order is stable), at most `limit`.
pub fn rank(this: &Profile, others: &[Profile], limit: usize) -> Vec<(Uuid, Likeness)> {
    let mut found: Vec<(Uuid, Likeness)> = others
        .iter()
        .filter_map(|o| likeness(this, o).map(|l| (o.id, l)))
        .filter(|(_, l)| l.score >= LOOK_ALIKE)
        .collect();
    found.sort_by(|(a, x), (b, y)| y.score.cmp(&x.score).then(a.cmp(b)));
    found.dedup_by(|(a, _), (b, _)| a == b);
    found.truncate(limit);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn person(first: &str, last: &str) -> Profile {
        Profile {
            id: Uuid::now_v7(),
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            ..Profile::default()
        }
    }

    #[test]
    fn same_phone_alone_is_a_duplicate() {
        let mut a = person("Grace", "Hopper");
        let mut b = person("Amazing", "Grace");
        a.phone = Some("+15125550188".into());
        b.phone = Some("+15125550188".into());
        let l = compare(&a, &b).unwrap();
        assert_eq!(
            l.reasons,
            vec![Reason::SamePhone {
                phone: "+15125550188".into()
            }]
        );
    }

    #[test]
    fn email_matches_ignoring_case() {
        let mut a = person("Ann", "Lee");
        let mut b = person("Bob", "Stone");
        a.email = Some("ann@x.example".into());
        b.email = Some("ANN@x.example".into());
        assert!(compare(&a, &b).is_some());
    }

    #[test]
    fn a_typo_in_the_name_is_similar_and_swapped_order_is_identical() {
        assert!(name_similarity("grace hopper", "grace hoper") >= 90);
        let mut a = person("Grace", "Hopper");
        let mut b = person("Hopper", "Grace");
        a.addresses = vec!["12 Oak St 78701".into()];
        b.addresses = a.addresses.clone();
        let l = compare(&a, &b).unwrap();
        assert_eq!(l.reasons[0], Reason::SimilarName { similarity: 100 });
        assert_eq!(l.reasons[0].describe(), "similar name (100 %)");
    }

    #[test]
    fn a_name_needs_a_shared_address_even_when_identical() {
        let namesake = (person("John", "Smith"), person("John", "Smith"));
        assert!(compare(&namesake.0, &namesake.1).is_none());
        // …yet someone typing the name in is shown the other.
        let shown = rank(&namesake.0, std::slice::from_ref(&namesake.1), 5);
        assert_eq!(shown.len(), 1);
        assert!(rank(&namesake.0, &[person("Jon", "Smith")], 5).is_empty());
        // 10 letters, one typo: 90 %.
        let mut a = person("Jon", "Smithson");
        let mut b = person("Jan", "Smithson");
        assert!(compare(&a, &b).is_none());
        a.addresses = vec!["12 Oak Street 78701".into()];
        b.addresses = vec!["12 oak st. 78701".into()];
        let l = compare(&a, &b).unwrap();
        assert!(matches!(l.reasons[1], Reason::SameAddress { .. }));
        // Two people of one household share the address, not the name.
        let c = Profile {
            addresses: a.addresses.clone(),
            ..person("Mary", "Smithson")
        };
        assert!(compare(&a, &c).is_none());
    }

    #[test]
    fn a_household_shares_a_phone_and_an_address_but_is_two_people() {
        let home = |first: &str| Profile {
            phone: Some("+15125550188".into()),
            addresses: vec!["12 Oak St 78701".into()],
            ..person(first, "Smith")
        };
        let l = likeness(&home("John"), &home("Mary")).unwrap();
        assert_eq!(l.reasons.last(), Some(&Reason::Household));
        assert!(l.score >= LOOK_ALIKE && l.score < THRESHOLD);
        assert!(compare(&home("John"), &home("Mary")).is_none());
        // A typo, an initial or a short form is the same person.
        for same in ["Jonh", "J.", "Jon", "Johnny"] {
            assert!(compare(&home("John"), &home(same)).is_some(), "{same}");
        }
    }

    #[test]
    fn abbreviations_are_written_one_way() {
        assert_eq!(
            address_key("1200 North Lamar Boulevard, Suite 5"),
            address_key("1200 N. Lamar Blvd Ste 5")
        );
        assert!(ABBREVIATIONS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn duplicates_share_a_blocking_key() {
        let mut a = person("Grace", "Hopper");
        a.phone = Some("+15125550188".into());
        a.email = Some("Grace@Navy.example".into());
        a.addresses = vec!["12 Oak Street 78701".into()];
        assert_eq!(
            blocking_keys(&a),
            [
                "p +15125550188",
                "e grace@navy.example",
                "a 12 oak st 78701"
            ]
        );
        assert!(blocking_keys(&person("Alan", "Turing")).is_empty());
    }

    #[test]
    fn different_people_are_not_duplicates() {
        assert!(compare(&person("Grace", "Hopper"), &person("Alan", "Turing")).is_none());
    }

    #[test]
    fn a_record_is_not_its_own_duplicate() {
        let a = person("Grace", "Hopper");
        assert!(compare(&a, &a.clone()).is_none());
    }

    #[test]
    fn ranking_puts_the_strongest_evidence_first() {
        let mut me = person("Grace", "Hopper");
        me.phone = Some("+15125550188".into());
        me.email = Some("g@x.example".into());
        let mut by_phone = person("G", "Hopper");
        by_phone.phone = me.phone.clone();
        let mut by_both = person("Grace", "Hopper");
        by_both.phone = me.phone.clone();
        by_both.email = me.email.clone();
        let ranked = rank(&me, &[by_phone.clone(), by_both.clone()], 10);
        assert_eq!(ranked[0].0, by_both.id);
        assert_eq!(ranked[1].0, by_phone.id);
        assert_eq!(ranked[0].1.score, 100);
    }

    proptest! {
        #[test]
        fn similarity_is_symmetric_and_bounded(a in "[a-z ]{0,20}", b in "[a-z ]{0,20}") {
            let s = name_similarity(&a, &b);
            prop_assert!(s <= 100);
            prop_assert_eq!(s, name_similarity(&b, &a));
            if !a.is_empty() {
                prop_assert_eq!(name_similarity(&a, &a), 100);
            }
        }

        #[test]
        fn comparison_is_symmetric_in_score(f1 in "[a-z]{1,8}", l1 in "[a-z]{1,8}", f2 in "[a-z]{1,8}", l2 in "[a-z]{1,8}") {
            let a = person(&f1, &l1);
            let b = person(&f2, &l2);
            prop_assert_eq!(compare(&a, &b).map(|l| l.score), compare(&b, &a).map(|l| l.score));
        }

        /// What a whole-organisation pass relies on: it compares only
        /// records that share a blocking key.
        #[test]
        fn every_duplicate_shares_a_blocking_key(
            names in proptest::collection::vec(("[ab]{1,3}", "[ab]{3,5}"), 2),
            phones in proptest::collection::vec(proptest::option::of("[12]"), 2),
            emails in proptest::collection::vec(proptest::option::of("[aA]@x"), 2),
            streets in proptest::collection::vec(proptest::collection::vec("1 (Oak|oak) (st|Street)", 0..2), 2),
        ) {
            let p: Vec<Profile> = (0..2)
                .map(|i| Profile {
                    phone: phones[i].clone(),
                    email: emails[i].clone(),
                    addresses: streets[i].clone(),
                    ..person(&names[i].0, &names[i].1)
                })
                .collect();
            if compare(&p[0], &p[1]).is_some() {
                let keys = blocking_keys(&p[0]);
                prop_assert!(blocking_keys(&p[1]).iter().any(|k| keys.contains(k)));
            }
        }
    }
}
