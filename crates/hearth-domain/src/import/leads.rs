//! A lead row: the lead, and by name what only the database can resolve
//! (its owner, pipeline and stage).

use super::{ColumnMap, ImportRow, Problem, date, name_problem_field, person_name, tag_names};
use crate::contact::Email;
use crate::leads::lead::Draft;
use crate::leads::money::{DEFAULT_CURRENCY, parse_currency, parse_money};
use crate::leads::{LeadFields, LeadSource};

/// The fields a lead file fills, by their column names.
pub const FIELDS: [&str; 17] = [
    "name",
    "first_name",
    "last_name",
    "business_name",
    "phone",
    "email",
    "service_address",
    "source",
    "owner",
    "value",
    "currency",
    "expected_close_date",
    "tags",
    "notes",
    "pipeline",
    "stage",
    "lost_reason",
];

/// Header names other systems use for a lead's own fields (the contact
/// fields' are shared with customers).
pub(super) const ALIASES: [(&str, &str); 16] = [
    ("full_name", "name"),
    ("contact", "name"),
    ("contact_name", "name"),
    ("lead_name", "name"),
    ("address", "service_address"),
    ("street_address", "service_address"),
    ("owner_email", "owner"),
    ("assigned_to", "owner"),
    ("deal_value", "value"),
    ("amount", "value"),
    ("lead_source", "source"),
    ("close_date", "expected_close_date"),
    ("status", "stage"),
    ("deal_stage", "stage"),
    ("note", "notes"),
    ("description", "notes"),
];

/// A valid lead row, ready to place on its pipeline.
#[derive(Clone, Debug, PartialEq)]
pub struct LeadRow {
    pub line: u64,
    /// The lead, without its owner (found by `owner`).
    pub lead: LeadFields,
    /// The owner's email, lower-cased.
    pub owner: Option<String>,
    /// The pipeline's name; none means the default pipeline.
    pub pipeline: Option<String>,
    /// The stage's name; none means the pipeline's first open stage.
    pub stage: Option<String>,
    pub tags: Vec<String>,
}

/// Validates one data row (`line` is its line number in the file).
pub fn validate_row(
    map: &ColumnMap,
    record: &[&str],
    line: u64,
    region: &str,
) -> Result<LeadRow, Vec<Problem>> {
    let mut problems = Vec::new();
    let get = |f: &str| map.get(record, f);
    let (first_name, last_name) = person_name(map, record);
    let source = match get("source") {
        None => LeadSource::default(),
        Some(s) => {
            let key = s.to_lowercase().replace([' ', '-'], "_");
            LeadSource::parse(&key).unwrap_or_else(|| {
                let all: Vec<&str> = LeadSource::ALL.iter().map(|s| s.as_str()).collect();
                problems.push(Problem::new(
                    line,
                    "source",
                    format!("must be one of {}", all.join(", ")),
                ));
                LeadSource::default()
            })
        }
    };
    let currency = get("currency").unwrap_or(DEFAULT_CURRENCY);
    // A bad currency is reported by the lead's own validation below; the
    // amount is then read as if in the default one.
    let digits_of = parse_currency(currency).unwrap_or_else(|_| DEFAULT_CURRENCY.into());
    let value_minor = match get("value").map(|v| parse_money(v, &digits_of)) {
        None => 0,
        Some(Ok(v)) => v,
        Some(Err(why)) => {
            problems.push(Problem::new(line, "value", why));
            0
        }
    };
    let expected_close_date = date(
        get("expected_close_date"),
        line,
        "expected_close_date",
        &mut problems,
    );
    let owner = get("owner").and_then(|o| match Email::parse(o) {
        Ok(e) => Some(e.into_string()),
        Err(_) => {
            problems.push(Problem::new(
                line,
                "owner",
                "must be the email address of a user",
            ));
            None
        }
    });
    let lead = Draft {
        first_name,
        last_name,
        business_name: get("business_name"),
        email: get("email"),
        phone: get("phone"),
        service_address: get("service_address"),
        source,
        owner_id: None,
        value_minor,
        currency,
        expected_close_date,
        notes: get("notes"),
        lost_reason: get("lost_reason"),
    }
    .validate(region)
    .map_err(|e| {
        for f in e.0 {
            let field = match f.field.as_str() {
                "value_minor" => "value".to_string(),
                _ => name_problem_field(map, f.field),
            };
            problems.push(Problem::new(line, field, f.message));
        }
    });
    let tags = tag_names(get("tags"), line, &mut problems);
    match lead {
        Ok(lead) if problems.is_empty() => Ok(LeadRow {
            line,
            lead,
            owner,
            pipeline: get("pipeline").map(str::to_string),
            stage: get("stage").map(str::to_string),
            tags,
        }),
        _ => Err(problems),
    }
}

impl ImportRow for LeadRow {
    fn line(&self) -> u64 {
        self.line
    }
    fn phone(&self) -> Option<&str> {
        self.lead.phone.as_deref()
    }
    fn email(&self) -> Option<&str> {
        self.lead.email.as_deref()
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

    fn map(header: &[&str]) -> ColumnMap {
        ColumnMap::from_header(Kind::Leads, header, &BTreeMap::new()).unwrap()
    }

    #[test]
    fn a_good_row_is_read_with_its_deal_and_placement() {
        let m = map(&[
            "Full Name",
            "Mobile",
            "Deal Value",
            "Currency",
            "Close Date",
            "Source",
            "Owner Email",
            "Pipeline",
            "Stage",
            "Tags",
        ]);
        let row = validate_row(
            &m,
            &[
                "Ann Marie Lee",
                "(512) 555-0134",
                "1,250.50",
                "usd",
                "2026-12-01",
                "Web Form",
                "Sam@Acme.example",
                "Installs",
                "Quoted",
                "boiler;VIP",
            ],
            2,
            "US",
        )
        .unwrap();
        assert_eq!(row.lead.first_name.as_deref(), Some("Ann Marie"));
        assert_eq!(row.lead.last_name.as_deref(), Some("Lee"));
        assert_eq!(row.lead.phone.as_deref(), Some("+15125550134"));
        assert_eq!(row.lead.value_minor, 125_050);
        assert_eq!(row.lead.currency, "USD");
        assert_eq!(row.lead.source, LeadSource::WebForm);
        assert_eq!(row.owner.as_deref(), Some("sam@acme.example"));
        assert_eq!(row.pipeline.as_deref(), Some("Installs"));
        assert_eq!(row.stage.as_deref(), Some("Quoted"));
        assert_eq!(row.tags, vec!["boiler", "VIP"]);
    }

    #[test]
    fn every_problem_of_a_row_is_named_by_its_column() {
        let m = map(&[
            "name",
            "email",
            "phone",
            "value",
            "currency",
            "expected_close_date",
            "source",
            "owner",
        ]);
        let problems = validate_row(
            &m,
            &[
                "Bo",
                "nope",
                "12",
                "ten",
                "dollars",
                "31/12/2026",
                "fax",
                "sam",
            ],
            9,
            "US",
        )
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "source",
                "value",
                "expected_close_date",
                "owner",
                "email",
                "phone",
                "currency"
            ]
        );
        assert!(problems.iter().all(|p| p.line == 9));
    }

    #[test]
    fn a_row_with_nothing_to_name_or_reach_the_lead_is_refused() {
        let m = map(&["name", "notes"]);
        let problems = validate_row(&m, &["", "called twice"], 3, "US").unwrap_err();
        assert_eq!(problems[0].field, "name");
    }
}
