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

    /// Header names other systems use for our fields.
    fn aliases(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Kind::Customers => &customers::ALIASES,
            Kind::Leads => &leads::ALIASES,
        }
    }

    /// A file needs at least one of these columns, or no row could be valid.
    fn identity(self) -> (&'static [&'static str], &'static str) {
        match self {
            Kind::Customers => (
                &["first_name", "last_name", "business_name"],
                "the file needs a first_name, last_name or business_name column",
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

/// Which column holds which field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnMap(BTreeMap<&'static str, usize>);

fn header_key(name: &str) -> String {
    name.trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .replace([' ', '-'], "_")
}

impl ColumnMap {
    /// Reads the header: a column is a field by its name, an alias, or
    /// `mapping` (header name → field), which wins. Columns that are no
    /// field are ignored; naming an unknown field, mapping two columns to
    /// one field, or having no column that names the record is a problem
    /// on line 1.
    pub fn from_header(
        kind: Kind,
        header: &[&str],
        mapping: &BTreeMap<String, String>,
    ) -> Result<ColumnMap, Vec<Problem>> {
        let fields = kind.fields();
        let mut problems = Vec::new();
        let mut map = BTreeMap::new();
        for (i, name) in header.iter().enumerate() {
            let key = header_key(name);
            let wanted = mapping
                .iter()
                .find(|(column, _)| header_key(column) == key)
                .map(|(_, field)| field.clone())
                .unwrap_or_else(|| {
                    kind.aliases()
                        .iter()
                        .find(|(alias, _)| *alias == key)
                        .map(|(_, f)| f.to_string())
                        .unwrap_or(key)
                });
            let Some(field) = fields.iter().find(|f| **f == wanted) else {
                if mapping.keys().any(|c| header_key(c) == header_key(name)) {
                    problems.push(Problem::new(
                        1,
                        format!("mapping.{name}"),
                        format!("is not a field; use one of {}", fields.join(", ")),
                    ));
                }
                continue;
            };
            if map.insert(*field, i).is_some() {
                problems.push(Problem::new(1, *field, "is given by two columns"));
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
        let i = *self.0.get(field)?;
        record.get(i).map(|s| s.trim()).filter(|s| !s.is_empty())
    }

    /// Whether the file has a column for `field`.
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// The number of columns the header had at least.
    pub fn width(&self) -> usize {
        self.0.values().max().map_or(0, |m| m + 1)
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
                "first_name",
                "the file needs a first_name, last_name or business_name column"
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
    fn tags_are_split_and_each_kept_once() {
        let mut problems = Vec::new();
        assert_eq!(
            tag_names(Some("VIP; boiler|vip"), 2, &mut problems),
            vec!["VIP", "boiler"]
        );
        assert!(problems.is_empty());
    }
}
