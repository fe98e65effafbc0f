//! CSV import of customers: which column is which field, and whether each
//! row is a valid customer (with its service address and tags). Every
//! problem is reported with its line and field, so a file is fixed in one
//! go rather than one error at a time.

use crate::addresses::{AddressFields, AddressInput};
use crate::customers::{ContactMethod, CustomerFields, CustomerInput};
use crate::tags::TagInput;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// One problem in a file: line 1 is the header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
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

/// The fields an import fills, by their column names.
pub const FIELDS: [&str; 13] = [
    "first_name",
    "last_name",
    "business_name",
    "email",
    "phone",
    "preferred_contact_method",
    "customer_since",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "tags",
];

/// Header names other systems use for our fields.
const ALIASES: [(&str, &str); 12] = [
    ("first", "first_name"),
    ("given_name", "first_name"),
    ("last", "last_name"),
    ("surname", "last_name"),
    ("company", "business_name"),
    ("business", "business_name"),
    ("email_address", "email"),
    ("phone_number", "phone"),
    ("mobile", "phone"),
    ("address", "address_line1"),
    ("street", "address_line1"),
    ("zip", "postal_code"),
];

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
    /// one field, or having no name column is a problem on line 1.
    pub fn from_header(
        header: &[&str],
        mapping: &BTreeMap<String, String>,
    ) -> Result<ColumnMap, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut map = BTreeMap::new();
        for (i, name) in header.iter().enumerate() {
            let key = header_key(name);
            let wanted = mapping
                .iter()
                .find(|(column, _)| header_key(column) == key)
                .map(|(_, field)| field.clone())
                .unwrap_or_else(|| {
                    ALIASES
                        .iter()
                        .find(|(alias, _)| *alias == key)
                        .map(|(_, f)| f.to_string())
                        .unwrap_or(key)
                });
            let Some(field) = FIELDS.iter().find(|f| **f == wanted) else {
                if mapping.keys().any(|c| header_key(c) == header_key(name)) {
                    problems.push(Problem::new(
                        1,
                        format!("mapping.{name}"),
                        format!("is not a field; use one of {}", FIELDS.join(", ")),
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
        if !["first_name", "last_name", "business_name"]
            .iter()
            .any(|f| map.contains_key(f))
        {
            problems.push(Problem::new(
                1,
                "first_name",
                "the file needs a first_name, last_name or business_name column",
            ));
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

    /// The number of columns the header had at least.
    pub fn width(&self) -> usize {
        self.0.values().max().map_or(0, |m| m + 1)
    }
}

/// A valid row, ready to insert.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub line: u64,
    pub customer: CustomerFields,
    pub address: Option<AddressFields>,
    /// Tag names, trimmed, each once.
    pub tags: Vec<String>,
}

/// Validates one data row (`line` is its line number in the file).
pub fn validate_row(
    map: &ColumnMap,
    record: &[&str],
    line: u64,
    region: &str,
    today: NaiveDate,
) -> Result<Row, Vec<Problem>> {
    let mut problems = Vec::new();
    let get = |f: &str| map.get(record, f).map(str::to_string);
    let method = match get("preferred_contact_method") {
        None => None,
        Some(m) => match ContactMethod::parse(&m.to_lowercase()) {
            Some(m) => Some(m),
            None => {
                problems.push(Problem::new(
                    line,
                    "preferred_contact_method",
                    "must be call, sms or email",
                ));
                None
            }
        },
    };
    let since = match get("customer_since") {
        None => None,
        Some(d) => match NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(Problem::new(
                    line,
                    "customer_since",
                    "must be a date like 2024-05-31",
                ));
                None
            }
        },
    };
    let input = CustomerInput {
        first_name: get("first_name"),
        last_name: get("last_name"),
        business_name: get("business_name"),
        email: get("email"),
        phone: get("phone"),
        preferred_contact_method: method,
        customer_since: since,
    };
    let customer = input.validate(region, today).map_err(|e| {
        for f in e.0 {
            problems.push(Problem::new(line, f.field, f.message));
        }
    });
    let address_given = [
        "address_line1",
        "address_line2",
        "city",
        "region",
        "postal_code",
    ]
    .iter()
    .any(|f| get(f).is_some());
    let address = if address_given {
        let input = AddressInput {
            line1: get("address_line1"),
            line2: get("address_line2"),
            city: get("city"),
            region: get("region"),
            postal_code: get("postal_code"),
            ..AddressInput::default()
        };
        match input.validate(region) {
            Ok(a) => Some(a),
            Err(e) => {
                for f in e.0 {
                    let field = match f.field.as_str() {
                        "line1" | "line2" => format!("address_{}", f.field),
                        _ => f.field,
                    };
                    problems.push(Problem::new(line, field, f.message));
                }
                None
            }
        }
    } else {
        None
    };
    let mut tags: Vec<String> = Vec::new();
    for name in get("tags").unwrap_or_default().split([';', '|']) {
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
    match customer {
        Ok(customer) if problems.is_empty() => Ok(Row {
            line,
            customer,
            address,
            tags,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn headers_map_by_name_alias_and_mapping() {
        let header = ["First Name", "Surname", "E-mail", "Zip", "Notes"];
        let mapping = BTreeMap::from([("E-mail".to_string(), "email".to_string())]);
        let map = ColumnMap::from_header(&header, &mapping).unwrap();
        let row = validate_row(
            &map,
            &["Ann", "Lee", "ANN@x.example", "78701", "ignored"],
            2,
            "US",
            today(),
        );
        // A postal code without a street line is an incomplete address.
        let problems = row.unwrap_err();
        assert_eq!(problems[0].field, "address_line1");
        assert_eq!(problems[0].line, 2);
    }

    #[test]
    fn a_file_without_a_name_column_is_refused_on_line_one() {
        let problems = ColumnMap::from_header(&["email", "phone"], &BTreeMap::new()).unwrap_err();
        assert_eq!(
            problems,
            vec![Problem::new(
                1,
                "first_name",
                "the file needs a first_name, last_name or business_name column"
            )]
        );
    }

    #[test]
    fn mapping_to_an_unknown_field_or_column_is_named() {
        let mapping = BTreeMap::from([
            ("Name".to_string(), "full_name".to_string()),
            ("Missing".to_string(), "email".to_string()),
        ]);
        let problems = ColumnMap::from_header(&["Name", "last_name"], &mapping).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, vec!["mapping.Name", "mapping.Missing"]);
    }

    #[test]
    fn every_problem_of_a_row_is_reported() {
        let map = ColumnMap::from_header(
            &[
                "first_name",
                "email",
                "phone",
                "customer_since",
                "preferred_contact_method",
            ],
            &BTreeMap::new(),
        )
        .unwrap();
        let problems = validate_row(
            &map,
            &["Ann", "not-an-email", "12", "31/05/2024", "fax"],
            7,
            "US",
            today(),
        )
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "preferred_contact_method",
                "customer_since",
                "email",
                "phone"
            ]
        );
        assert!(problems.iter().all(|p| p.line == 7));
    }

    #[test]
    fn a_good_row_has_its_address_and_tags() {
        let map = ColumnMap::from_header(
            &[
                "first_name",
                "last_name",
                "phone",
                "address",
                "city",
                "tags",
            ],
            &BTreeMap::new(),
        )
        .unwrap();
        let row = validate_row(
            &map,
            &[
                "Ann",
                "Lee",
                "(512) 555-0134",
                "12 Oak St",
                "Austin",
                "VIP; boiler;vip",
            ],
            3,
            "US",
            today(),
        )
        .unwrap();
        assert_eq!(row.customer.phone.as_deref(), Some("+15125550134"));
        assert_eq!(row.address.unwrap().line1, "12 Oak St");
        assert_eq!(row.tags, vec!["VIP", "boiler"]);
    }
}
