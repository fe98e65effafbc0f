//! CSV import: which column is which field, and whether each row is a
//! valid record of the kind imported (customers or leads). Every problem
//! is reported with its line and field, so a file is fixed in one go
//! rather than one error at a time.

pub mod customers;
pub mod leads;

use crate::tags::TagInput;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub use customers::CustomerRow;
pub use leads::LeadRow;

/// One problem in a file: line 1 is the header.
// Named apart from the API's error `Problem`: one name in the OpenAPI
// document is one schema, and the last registered would win.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = ImportProblem)]
pub struct Problem {
    pub line: u64,
    /// The field (or `file` for the file as a whole).
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(line: u64, field: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            line,
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Where an import is: a run in the background is `running` until it
/// commits (`done`) or rolls back (`failed`, having imported nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Running,
    Done,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Done => "done",
            Status::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [Status::Running, Status::Done, Status::Failed]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// What a file holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    #[default]
    Customers,
    Leads,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Customers => "customers",
            Kind::Leads => "leads",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        [Kind::Customers, Kind::Leads]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    /// The fields a file of this kind fills, by their column names.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Kind::Customers => &customers::FIELDS,
            Kind::Leads => &leads::FIELDS,
        }
    }

    /// Header names other systems use for our fields: the kind's own,
    /// then those of the contact fields both kinds have.
    fn aliases(self) -> impl Iterator<Item = &'static (&'static str, &'static str)> {
        let own: &'static [(&str, &str)] = match self {
            Kind::Customers => &customers::ALIASES,
            Kind::Leads => &leads::ALIASES,
        };
        own.iter().chain(&CONTACT_ALIASES)
    }

    /// A file needs at least one of these columns, or no row could be valid.
    fn identity(self) -> (&'static [&'static str], &'static str) {
        match self {
            Kind::Customers => (
                &["name", "first_name", "last_name", "business_name"],
                "the file needs a name, first_name, last_name or business_name column",
            ),
            Kind::Leads => (
                &[
                    "name",
                    "first_name",
                    "last_name",
                    "business_name",
                    "email",
                    "phone",
                ],
                "the file needs a name, first_name, last_name, business_name, email or phone column",
            ),
        }
    }
}

/// What the import pipeline needs of a valid row, whatever its kind.
pub trait ImportRow {
    fn line(&self) -> u64;
    /// E.164, for finding records that exist already.
    fn phone(&self) -> Option<&str>;
    /// Lower-cased, for finding records that exist already.
    fn email(&self) -> Option<&str>;
    /// Tag names, trimmed, each once.
    fn tags(&self) -> &[String];
}

/// Header names other systems give the fields customers and leads share:
/// spreadsheets, Google Contacts, Outlook, other CRMs' exports. Compared as
/// [`header_key`]s, so spacing, case and punctuation do not matter.
const CONTACT_ALIASES: [(&str, &str); 31] = [
    ("first", "first_name"),
    ("given_name", "first_name"),
    ("forename", "first_name"),
    ("last", "last_name"),
    ("surname", "last_name"),
    ("family_name", "last_name"),
    ("company", "business_name"),
    ("company_name", "business_name"),
    ("business", "business_name"),
    ("organization", "business_name"),
    ("organisation", "business_name"),
    ("organization_name", "business_name"),
    ("email_address", "email"),
    ("email_1", "email"),
    ("email_1_value", "email"),
    ("primary_email", "email"),
    ("phone_number", "phone"),
    ("phone_1", "phone"),
    ("phone_1_value", "phone"),
    ("primary_phone", "phone"),
    ("telephone", "phone"),
    ("tel", "phone"),
    ("mobile", "phone"),
    ("mobile_phone", "phone"),
    ("mobile_number", "phone"),
    ("cell", "phone"),
    ("cell_phone", "phone"),
    ("home_phone", "phone"),
    ("business_phone", "phone"),
    ("work_phone", "phone"),
    ("tag", "tags"),
];

/// Which columns hold which field: one column named like the field (or
/// mapped to it), or else every column named by one of its aliases, read
/// in file order (the first cell with a value wins: Outlook's home, mobile
/// and business phones fill `phone` by turns).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnMap(BTreeMap<&'static str, Vec<usize>>);

/// A header name as compared: its letters and digits, lower-cased, so
/// "First Name", "first_name", "FirstName" and "first-name" agree (and a
/// byte-order mark is dropped).
fn header_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl ColumnMap {
    /// Reads the header: a column is a field by `mapping` (header name →
    /// field, or `""` to ignore the column), which wins, by its name, or
    /// by an alias. Other columns are ignored. Naming an unknown field,
    /// naming one field by two columns, or having no column that names
    /// the record is a problem on line 1.
    pub fn from_header(
        kind: Kind,
        header: &[&str],
        mapping: &BTreeMap<String, String>,
    ) -> Result<ColumnMap, Vec<Problem>> {
        let fields = kind.fields();
        let field_keyed = |key: &str| fields.iter().copied().find(|f| header_key(f) == key);
        let mut problems = Vec::new();
        let mut named = BTreeMap::new();
        let mut aliased: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();
        for (i, name) in header.iter().enumerate() {
            let key = header_key(name);
            let field = match mapping.iter().find(|(column, _)| header_key(column) == key) {
                Some((_, wanted)) if wanted.trim().is_empty() => continue,
                Some((_, wanted)) => match field_keyed(&header_key(wanted)) {
                    Some(field) => field,
                    None => {
                        problems.push(Problem::new(
                            1,
                            format!("mapping.{name}"),
                            format!(
                                "is not a field; use one of {}, or \"\" to ignore the column",
                                fields.join(", ")
                            ),
                        ));
                        continue;
                    }
                },
                None => match field_keyed(&key) {
                    Some(field) => field,
                    None => {
                        if let Some((_, field)) =
                            kind.aliases().find(|(alias, _)| header_key(alias) == key)
                        {
                            aliased.entry(field).or_default().push(i);
                        }
                        continue;
                    }
                },
            };
            if named.insert(field, i).is_some() {
                problems.push(Problem::new(1, field, "is given by two columns"));
            }
        }
        for column in mapping.keys() {
            if !header.iter().any(|h| header_key(h) == header_key(column)) {
                problems.push(Problem::new(
                    1,
                    format!("mapping.{column}"),
                    "is not a column of the file",
                ));
            }
        }
        let mut map = aliased;
        map.extend(named.into_iter().map(|(field, i)| (field, vec![i])));
        let (identity, message) = kind.identity();
        if !identity.iter().any(|f| map.contains_key(f)) {
            problems.push(Problem::new(1, identity[0], message));
        }
        if problems.is_empty() {
            Ok(ColumnMap(map))
        } else {
            Err(problems)
        }
    }

    fn get<'a>(&self, record: &[&'a str], field: &str) -> Option<&'a str> {
        self.0
            .get(field)?
            .iter()
            .filter_map(|i| record.get(*i).map(|s| s.trim()))
            .find(|s| !s.is_empty())
    }

    /// Whether the file has a column for `field`.
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// The number of columns the header had at least.
    pub fn width(&self) -> usize {
        self.0.values().flatten().max().map_or(0, |m| m + 1)
    }

    /// The field the header's `column` (0-based) fills, if any.
    pub fn field_of(&self, column: usize) -> Option<&'static str> {
        self.0
            .iter()
            .find(|(_, columns)| columns.contains(&column))
            .map(|(field, _)| *field)
    }
}

/// A row's first and last name: their own columns, or else a full name's
/// words, its last word the family name as in most files people export
/// ("Ann Marie Lee" → "Ann Marie", "Lee").
fn person_name<'a>(map: &ColumnMap, record: &[&'a str]) -> (Option<&'a str>, Option<&'a str>) {
    let (first, last) = (map.get(record, "first_name"), map.get(record, "last_name"));
    if first.is_some() || last.is_some() {
        return (first, last);
    }
    match map.get(record, "name") {
        Some(name) => match name.rsplit_once(char::is_whitespace) {
            Some((first, last)) => (Some(first.trim()), Some(last)),
            None => (Some(name), None),
        },
        None => (None, None),
    }
}

/// The column to fix for a record's problem on `field`: with a full-name
/// column, a first or last name's problem is that column's.
fn name_problem_field(map: &ColumnMap, field: String) -> String {
    match field.as_str() {
        "first_name" | "last_name" if map.has("name") => "name".to_string(),
        _ => field,
    }
}

/// The tag names of a `;`- or `|`-separated cell, each once (names differing
/// only in case are one tag); a bad name is a problem on `tags`.
fn tag_names(cell: Option<&str>, line: u64, problems: &mut Vec<Problem>) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for name in cell.unwrap_or_default().split([';', '|']) {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        match (TagInput {
            name: name.to_string(),
            colour: None,
        })
        .validate()
        {
            Ok(t) if !tags.iter().any(|x| x.eq_ignore_ascii_case(&t.name)) => tags.push(t.name),
            Ok(_) => {}
            Err(e) => {
                for f in e.0 {
                    problems.push(Problem::new(
                        line,
                        "tags",
                        format!("“{name}” {}", f.message),
                    ));
                }
            }
        }
    }
    tags
}

/// A `YYYY-MM-DD` cell; anything else is a problem on `field`.
fn date(
    cell: Option<&str>,
    line: u64,
    field: &str,
    problems: &mut Vec<Problem>,
) -> Option<chrono::NaiveDate> {
    let cell = cell?;
    match chrono::NaiveDate::parse_from_str(cell, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            problems.push(Problem::new(line, field, "must be a date like 2024-05-31"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_without_a_name_column_is_refused_on_line_one() {
        let problems =
            ColumnMap::from_header(Kind::Customers, &["email", "phone"], &BTreeMap::new())
                .unwrap_err();
        assert_eq!(
            problems,
            vec![Problem::new(
                1,
                "name",
                "the file needs a name, first_name, last_name or business_name column"
            )]
        );
        // A lead may be known by its phone alone.
        assert!(ColumnMap::from_header(Kind::Leads, &["email", "phone"], &BTreeMap::new()).is_ok());
        let problems =
            ColumnMap::from_header(Kind::Leads, &["notes"], &BTreeMap::new()).unwrap_err();
        assert_eq!(problems[0].field, "name");
    }

    #[test]
    fn mapping_to_an_unknown_field_or_column_is_named() {
        let mapping = BTreeMap::from([
            ("Name".to_string(), "full_name".to_string()),
            ("Missing".to_string(), "email".to_string()),
        ]);
        let problems =
            ColumnMap::from_header(Kind::Customers, &["Name", "last_name"], &mapping).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, vec!["mapping.Name", "mapping.Missing"]);
    }

    #[test]
    fn every_alias_names_a_field_of_its_kind_once() {
        for kind in [Kind::Customers, Kind::Leads] {
            let fields: Vec<String> = kind.fields().iter().map(|f| header_key(f)).collect();
            let mut keys = std::collections::BTreeSet::new();
            for (alias, field) in kind.aliases() {
                assert!(kind.fields().contains(field), "{kind:?}: {alias} → {field}");
                let key = header_key(alias);
                assert!(
                    !fields.contains(&key),
                    "{kind:?}: {alias} is a field's own name"
                );
                assert!(keys.insert(key), "{kind:?}: {alias} is listed twice");
            }
        }
    }

    fn cells<'a>(map: &ColumnMap, record: &[&'a str], fields: &[&str]) -> Vec<Option<&'a str>> {
        fields.iter().map(|f| map.get(record, f)).collect()
    }

    #[test]
    fn exports_of_other_systems_are_read_by_their_headers() {
        let wanted = ["first_name", "last_name", "business_name", "email", "phone"];
        let wanted_place = ["address_line1", "city", "region", "postal_code", "tags"];
        // Outlook: three phones fill one field, the first with a number wins.
        let outlook = [
            "First Name",
            "Last Name",
            "Company",
            "E-mail Address",
            "Business Phone",
            "Home Phone",
            "Mobile Phone",
            "Home Street",
            "Home City",
            "Home State",
            "Home Postal Code",
        ];
        let row = [
            "Ann",
            "Lee",
            "Lee & Co",
            "ann@x.example",
            "",
            "",
            "512 555 0134",
            "1 Oak St",
            "Austin",
            "TX",
            "78701",
        ];
        let map = ColumnMap::from_header(Kind::Customers, &outlook, &BTreeMap::new()).unwrap();
        assert_eq!(
            cells(&map, &row, &wanted),
            [
                Some("Ann"),
                Some("Lee"),
                Some("Lee & Co"),
                Some("ann@x.example"),
                Some("512 555 0134")
            ]
        );
        assert_eq!(
            cells(&map, &row, &wanted_place),
            [
                Some("1 Oak St"),
                Some("Austin"),
                Some("TX"),
                Some("78701"),
                None
            ]
        );
        assert_eq!(map.field_of(5), Some("phone"));
        // Google Contacts, and camel case.
        let google = [
            "FirstName",
            "Last Name",
            "Organization Name",
            "E-mail 1 - Value",
            "Phone 1 - Value",
            "Address 1 - Street",
            "Address 1 - City",
            "Address 1 - Region",
            "Address 1 - Postal Code",
            "Labels",
        ];
        let row = [
            "Bo",
            "Ng",
            "",
            "bo@x.example",
            "+44 20 7946 0018",
            "2 Elm Rd",
            "Leeds",
            "",
            "LS1 4AP",
            "VIP",
        ];
        let map = ColumnMap::from_header(Kind::Customers, &google, &BTreeMap::new()).unwrap();
        assert_eq!(
            cells(&map, &row, &wanted),
            [
                Some("Bo"),
                Some("Ng"),
                None,
                Some("bo@x.example"),
                Some("+44 20 7946 0018")
            ]
        );
        assert_eq!(
            cells(&map, &row, &wanted_place),
            [
                Some("2 Elm Rd"),
                Some("Leeds"),
                None,
                Some("LS1 4AP"),
                Some("VIP")
            ]
        );
        // A column named like the field wins over its aliases.
        let map = ColumnMap::from_header(
            Kind::Customers,
            &["name", "mobile", "Phone"],
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(map.get(&["Al", "1", "2"], "phone"), Some("2"));
        assert_eq!(map.field_of(1), None);
    }

    #[test]
    fn a_column_mapped_to_nothing_is_ignored() {
        // A sample export with a city but no street: without its city the
        // customers import without an address.
        let header = [
            "Index",
            "First Name",
            "Last Name",
            "City",
            "Phone 1",
            "Phone 2",
        ];
        let map = ColumnMap::from_header(Kind::Customers, &header, &BTreeMap::new()).unwrap();
        assert_eq!(map.field_of(3), Some("city"));
        assert_eq!(map.field_of(5), None, "a second phone is no alias");
        let ignore = BTreeMap::from([("city".to_string(), " ".to_string())]);
        let map = ColumnMap::from_header(Kind::Customers, &header, &ignore).unwrap();
        assert_eq!(map.field_of(3), None);
        assert!(!map.has("city"));
        assert_eq!(map.field_of(4), Some("phone"));
    }

    #[test]
    fn a_full_name_column_names_a_customer() {
        let map = ColumnMap::from_header(
            Kind::Customers,
            &["Customer Name", "Mobile"],
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(
            person_name(&map, &["Ann Marie Lee", ""]),
            (Some("Ann Marie"), Some("Lee"))
        );
        assert_eq!(person_name(&map, &["Cher", ""]), (Some("Cher"), None));
    }

    #[test]
    fn tags_are_split_and_each_kept_once() {
        let mut problems = Vec::new();
        assert_eq!(
            tag_names(Some("VIP; boiler|vip"), 2, &mut problems),
            vec!["VIP", "boiler"]
        );
        assert!(problems.is_empty());
    }
}
