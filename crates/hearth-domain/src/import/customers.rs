//! A customer row: the customer, a service address and tags.

use super::{ColumnMap, ImportRow, Problem, date, name_problem_field, person_name, tag_names};
use crate::addresses::{AddressFields, AddressInput};
use crate::customers::{ContactMethod, CustomerFields, CustomerInput};
use chrono::NaiveDate;

/// The fields a customer file fills, by their column names.
pub const FIELDS: [&str; 14] = [
    "name",
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

/// Header names other systems use for a customer's own fields (the
/// contact fields' are shared with leads).
pub(super) const ALIASES: [(&str, &str); 38] = [
    ("full_name", "name"),
    ("customer_name", "name"),
    ("client_name", "name"),
    ("contact_name", "name"),
    ("client_since", "customer_since"),
    ("address", "address_line1"),
    ("street", "address_line1"),
    ("street_address", "address_line1"),
    ("street_1", "address_line1"),
    ("address_1", "address_line1"),
    ("address_1_street", "address_line1"),
    ("home_street", "address_line1"),
    ("business_street", "address_line1"),
    ("service_address", "address_line1"),
    ("street_2", "address_line2"),
    ("address_2", "address_line2"),
    ("home_street_2", "address_line2"),
    ("business_street_2", "address_line2"),
    ("town", "city"),
    ("suburb", "city"),
    ("locality", "city"),
    ("address_1_city", "city"),
    ("home_city", "city"),
    ("business_city", "city"),
    ("state", "region"),
    ("province", "region"),
    ("state_province", "region"),
    ("address_1_region", "region"),
    ("home_state", "region"),
    ("business_state", "region"),
    ("zip", "postal_code"),
    ("zip_code", "postal_code"),
    ("postcode", "postal_code"),
    ("zip_postal_code", "postal_code"),
    ("address_1_postal_code", "postal_code"),
    ("home_postal_code", "postal_code"),
    ("business_postal_code", "postal_code"),
    ("labels", "tags"),
];

/// A valid customer row, ready to insert.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerRow {
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
) -> Result<CustomerRow, Vec<Problem>> {
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
    let since = date(
        map.get(record, "customer_since"),
        line,
        "customer_since",
        &mut problems,
    );
    let (first_name, last_name) = person_name(map, record);
    let input = CustomerInput {
        first_name: first_name.map(str::to_string),
        last_name: last_name.map(str::to_string),
        business_name: get("business_name"),
        email: get("email"),
        phone: get("phone"),
        preferred_contact_method: method,
        customer_since: since,
    };
    let customer = input.validate(region, today).map_err(|e| {
        for f in e.0 {
            problems.push(Problem::new(
                line,
                name_problem_field(map, f.field),
                f.message,
            ));
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
    let tags = tag_names(map.get(record, "tags"), line, &mut problems);
    match customer {
        Ok(customer) if problems.is_empty() => Ok(CustomerRow {
            line,
            customer,
            address,
            tags,
        }),
        _ => Err(problems),
    }
}

impl ImportRow for CustomerRow {
    fn line(&self) -> u64 {
        self.line
    }
    fn phone(&self) -> Option<&str> {
        self.customer.phone.as_deref()
    }
    fn email(&self) -> Option<&str> {
        self.customer.email.as_deref()
    }
    fn tags(&self) -> &[String] {
        &self.tags
    }
}

#[cfg(test)]
mod tests {
    use super::super::Kind;
    use super::*;
    use std::collections::BTreeMap;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn headers_map_by_name_alias_and_mapping() {
        let header = ["First Name", "Surname", "E-mail", "Zip", "Notes"];
        let mapping = BTreeMap::from([("E-mail".to_string(), "email".to_string())]);
        let map = ColumnMap::from_header(Kind::Customers, &header, &mapping).unwrap();
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
    fn every_problem_of_a_row_is_reported() {
        let map = ColumnMap::from_header(
            Kind::Customers,
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
            Kind::Customers,
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
